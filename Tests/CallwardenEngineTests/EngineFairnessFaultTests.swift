import CallwardenCore
import CallwardenEngine
import CallwardenStore
import Foundation
import Logging
import Testing

/// Exemptions, reviews and grace over a record whose commits fail: memory keeps only what the
/// record holds, and an engine started afresh from the record routes exactly as the running one.
@Suite("Exemptions, reviews and grace over a record that cannot be written")
struct EngineFairnessFaultTests {
    let caller = Fixture.caller

    func withEngine(_ body: (Engine, RecordStore, RecordFault) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-engine-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RecordStore(directory: directory, logger: Logger.silent)
        let engine = try Engine(store: store, policy: try Fixture.policy(), logger: Logger.silent)
        let fault = try RecordFault(path: store.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            try await body(engine, store, fault)
        }
    }

    func route(_ engine: Engine, _ call: String) -> Route {
        engine.offerCall(call: call, caller: caller, dialed: nil, at: nil).decision.route
    }

    @Test func failedExemptionChanges_leaveTheRegisterAsRecorded_andARestartAgrees() async throws {
        try await withEngine { engine, store, fault in
            _ = try await engine.recordAbuse(Fixture.abuse("nuisance")).durable()
            try fault.failCommits()
            let refused = try engine.addExemption(ExemptionRequest(target: caller, reason: "register", until: nil, routes: []), by: "uid 0")
            await #expect(throws: EngineError.self) { try await refused.durable() }
            #expect(engine.exemptions().isEmpty)
            #expect(route(engine, "c1") == .nuisance)

            try fault.clear()
            let kept = try await engine.addExemption(ExemptionRequest(target: caller, reason: "register", until: nil, routes: []), by: "uid 0").durable()
            try fault.failCommits()
            let removal = try engine.removeExemption(id: kept.id, reason: "left", by: "uid 0")
            await #expect(throws: EngineError.self) { try await removal.durable() }
            #expect(engine.exemptions().map(\.id) == [kept.id])
            #expect(route(engine, "c2") == .normal)

            try fault.clear()
            let restarted = try Engine(store: store, policy: try Fixture.policy(), logger: Logger.silent)
            // The record keeps times to the microsecond; the running engine, its clock's reading.
            #expect(restarted.exemptions().map { [String($0.id), $0.target, $0.reason] } == engine.exemptions().map { [String($0.id), $0.target, $0.reason] })
            #expect(restarted.exemptions().map(\.routes) == engine.exemptions().map(\.routes))
            #expect(route(restarted, "c3") == .normal)
        }
    }

    @Test func failedReviewAndGrace_leaveMemoryAsRecorded_andARestartAgrees() async throws {
        try await withEngine { engine, store, fault in
            _ = try await engine.recordAbuse(Fixture.abuse("nuisance")).durable()
            try fault.failCommits()
            let ended = try engine.review(caller: caller, decision: .end, reason: "apologised", by: "uid 0")
            await #expect(throws: EngineError.self) { try await ended.durable() }
            #expect(route(engine, "c1") == .nuisance)
            #expect(engine.explain(caller: caller, dialed: nil, at: nil).review == ReviewMarks())

            let forgiven = try engine.forgive(caller: caller, reason: "apologised", incident: nil, grace: 86_400, by: "uid 0", at: nil)
            await #expect(throws: EngineError.self) { try await forgiven.durable() }
            #expect(engine.explain(caller: caller, dialed: nil, at: nil).grace == nil)

            try fault.clear()
            // Without the grace the forgiveness did not record, a new light incident counts.
            _ = try await engine.recordAbuse(Fixture.abuse("nuisance")).durable()
            #expect(route(engine, "c2") == .nuisance)
            let restarted = try Engine(store: store, policy: try Fixture.policy(), logger: Logger.silent)
            let before = engine.explain(caller: caller, dialed: nil, at: nil)
            let after = restarted.explain(caller: caller, dialed: nil, at: nil)
            #expect(after.review == before.review && after.grace == before.grace)
            #expect(after.decision.route == before.decision.route)
            #expect(after.incidents.map(\.forgiven) == before.incidents.map(\.forgiven))
        }
    }
}
