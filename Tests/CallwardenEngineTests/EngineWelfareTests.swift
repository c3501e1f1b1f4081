import CallwardenCore
import CallwardenEngine
import CallwardenLocking
import CallwardenStore
import Foundation
import Logging
import Testing

/// `agent.welfare` notices over a real record: sent once the incident is durable, never for one
/// the record refused, and not again after a restart rebuilt the counts.
@Suite("Welfare notices from the engine")
struct EngineWelfareTests {
    /// Runs `body` with an engine over the record in `directory`, its writer running.
    func withEngine(_ directory: String, _ body: (Engine, RecordFault) async throws -> Void) async throws {
        let store = try RecordStore(directory: directory, logger: Logger.silent)
        let engine = try Engine(store: store, policy: try Fixture.policy(), logger: Logger.silent)
        let fault = try RecordFault(path: store.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            try await body(engine, fault)
        }
    }

    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-welfare-\(UUID().uuidString)").path
    }

    static func threat(agent: String = "agent-1") -> AbuseReport {
        AbuseReport(call: nil, caller: Fixture.caller, kind: "threat", agent: agent, note: nil, at: nil)
    }

    @Test func aDurableThreat_notifiesOnce_andARefusedOneNever() async throws {
        try await withEngine(Self.directory()) { engine, fault in
            let heard = Locked<[WelfareAlert]>([])
            engine.observeNotices { notice in
                if case .agentWelfare(let alert) = notice { heard.withLock { $0.append(alert) } }
            }
            try fault.failCommits()
            _ = try? await engine.recordAbuse(Self.threat(agent: "refused")).durable()
            #expect(heard.withLock { $0 }.isEmpty)
            try fault.clear()
            _ = try await engine.recordAbuse(Self.threat()).durable()
            #expect(heard.withLock { $0 }.map(\.rule) == ["threat-debrief"])
            #expect(heard.withLock { $0 }.map(\.agent) == ["agent-1"])
            // The refused threat left nothing: its agent is not followed.
            #expect(engine.agents(at: nil).map(\.agent) == ["agent-1"])
        }
    }

    @Test func countsSurviveARestart_andARuleThatSpokeDoesNotSpeakAgain() async throws {
        let directory = Self.directory()
        var before: [AgentCounters] = []
        try await withEngine(directory) { engine, _ in
            _ = try await engine.recordAbuse(Self.threat()).durable()
            _ = try await engine.recordAbuse(AbuseReport(call: nil, caller: Fixture.caller, kind: "verbal", agent: "agent-2", note: nil, at: nil)).durable()
            before = engine.agents(at: nil)
        }
        try await withEngine(directory) { engine, _ in
            let heard = Locked(0)
            engine.observeNotices { _ in heard.withLock { $0 += 1 } }
            let after = engine.agents(at: nil)
            // The record keeps times to the microsecond: compared to that.
            #expect(after.map(\.agent) == before.map(\.agent) && before.count == 2)
            #expect(after.map { [$0.lastHour, $0.lastDay, $0.threats] } == before.map { [$0.lastHour, $0.lastDay, $0.threats] })
            for (a, b) in zip(after, before) { #expect(abs((a.lastIncident ?? 0) - (b.lastIncident ?? 1)) < 1e-5) }
            // Another threat within the window: the rule already spoke for this agent.
            _ = try await engine.recordAbuse(Self.threat()).durable()
            #expect(heard.withLock { $0 } == 0)
        }
    }
}
