@testable import CallwardenEngine
import CallwardenCore
import Foundation

/// The shipped policy, and an engine state over it with no history, for tests of the state as a
/// value: no lock, no record, no clock.
enum Fixture {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var shippedPolicyPath: String { packageRoot.appendingPathComponent("Config/policy.yaml").path }

    static func policy() throws -> LoadedPolicy {
        try LoadedPolicy.load(path: shippedPolicyPath, now: 0)
    }

    static func state(capacity: Int = 100, nextID: Int64 = 1) throws -> EngineState {
        EngineState(policy: try policy(), histories: [:], incidentCount: 0, calls: OpenCalls(capacity: capacity), nextID: nextID)
    }

    static let now = 1_800_000_000.0
    static let caller = "+447700900123"

    static func abuse(_ kind: String = "verbal", call: String? = nil, caller: String? = Fixture.caller) -> AbuseReport {
        AbuseReport(call: call, caller: caller, kind: kind, agent: "agent-1", note: "swore", at: nil)
    }
}
