import CallwardenCore
import CallwardenEngine
import CallwardenStore
import Foundation
import GRDB
import Logging
import Testing

/// The engine over a real record whose commits fail: a trigger that aborts every insert, the way
/// a full disk or a read-only file system makes SQLite abort the writer's transaction.
@Suite("Engine over a record that cannot be written")
struct EngineFaultTests {
    let caller = Fixture.caller

    /// Runs `body` with an engine over a fresh record whose writer is running.
    func withEngine(_ body: (Engine, RecordFault) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-engine-\(UUID().uuidString)").path
        let store = try RecordStore(directory: directory, logger: Logger.silent)
        let engine = try Engine(store: store, policy: try Fixture.policy(), logger: Logger.silent)
        let fault = try RecordFault(path: store.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            try await body(engine, fault)
        }
    }

    @Test func abuseAnsweredUnavailable_doesNotRouteTheCallerToASupervisor() async throws {
        try await withEngine { engine, fault in
            try fault.failCommits()
            let recorded = try engine.recordAbuse(Fixture.abuse())
            await #expect(throws: EngineError.self) { try await recorded.durable() }
            let routed = engine.offerCall(call: "c1", caller: caller, dialed: nil, at: nil)
            #expect(routed.decision.route == .normal)
            #expect(routed.decision.standing.incidents == 0)
        }
    }

    @Test func unavailable_saysNothingOfTheStoresError() async throws {
        try await withEngine { engine, fault in
            try fault.failCommits()
            let recorded = try engine.recordAbuse(Fixture.abuse())
            do {
                _ = try await recorded.durable()
                Issue.record("a write to a failing record was acknowledged")
            } catch let error as EngineError {
                guard case .unavailable(let message) = error else { Issue.record("not unavailable: \(error)"); return }
                #expect(!message.contains(RecordFault.message))
                #expect(!message.lowercased().contains("sqlite"))
            }
        }
    }

    @Test func statusSaysDegraded_untilACommitLands() async throws {
        try await withEngine { engine, fault in
            try fault.failCommits()
            _ = try? await engine.recordAbuse(Fixture.abuse()).durable()
            #expect(await engine.status().recordDegraded?.failedWrites == 1)
            #expect(engine.statusLine().hasPrefix("Record degraded"))
            try fault.clear()
            let outcome = try await engine.recordAbuse(Fixture.abuse()).durable()
            #expect(await engine.status().recordDegraded == nil)
            #expect(engine.offerCall(call: "c2", caller: caller, dialed: nil, at: nil).decision.standing.incidents == 1)
            #expect(outcome.incident > 0)
        }
    }

    @Test func writesQueuedBehindAFailedOne_failAndLeaveNoTrace() async throws {
        try await withEngine { engine, fault in
            try fault.failCommits()
            // Queued together: whichever batch fails first takes the rest with it.
            let writes = try (0..<20).map { index in
                try engine.recordAbuse(Fixture.abuse(caller: "+4477009\(String(format: "%05d", index))"))
            }
            var acknowledged = 0
            for write in writes {
                if (try? await write.durable()) != nil { acknowledged += 1 }
            }
            #expect(acknowledged == 0)
            for index in 0..<20 {
                let routed = engine.offerCall(call: "c\(index)", caller: "+4477009\(String(format: "%05d", index))", dialed: nil, at: nil)
                #expect(routed.decision.standing.incidents == 0)
            }
            #expect(await engine.status().incidents == 0)
        }
    }

    @Test func ladderStepAnsweredUnavailable_isTakenBackFromTheCall() async throws {
        try await withEngine { engine, fault in
            _ = engine.offerCall(call: "c1", caller: caller, dialed: nil, at: nil)
            try fault.failCommits()
            let warning = try engine.warning(call: "c1", agent: "agent-1", at: nil)
            await #expect(throws: EngineError.self) { try await warning.durable() }
            try fault.clear()
            _ = try await engine.hangupRequest(call: "c1", agent: "agent-1", at: nil).durable()
            // The failed warning took its call_start with it: the next step must record the call's
            // start again, or the record would hold a step of a call it never saw begin.
            let page = try await engine.exportRecord(caller: nil, since: nil, after: nil, limit: 10)
            let types = page.entries.map { link in link.fields.first { $0.name == "type" }?.value ?? "" }
            #expect(types == ["call_start", "hangup_request"])
        }
    }

    @Test func afterTheFaultClears_theRecordVerifies() async throws {
        try await withEngine { engine, fault in
            _ = try await engine.recordAbuse(Fixture.abuse()).durable()
            try fault.failCommits()
            _ = try? await engine.recordAbuse(Fixture.abuse("threat")).durable()
            try fault.clear()
            _ = try await engine.recordAbuse(Fixture.abuse("nuisance")).durable()
            let report = try await engine.verifyRecord()
            #expect(report.problem == nil)
            #expect(report.entries == 2)
        }
    }

    @Test func textTheRecordCannotHold_isRefusedAsABadRequest_andLeavesNoTrace() async throws {
        try await withEngine { engine, _ in
            var report = Fixture.abuse()
            report.note = "cut\u{0}here"
            let recorded = try engine.recordAbuse(report)
            await #expect(throws: EngineError.badRequest("note contains a NUL character (U+0000), which the record cannot hold")) {
                try await recorded.durable()
            }
            #expect(engine.offerCall(call: "c1", caller: caller, dialed: nil, at: nil).decision.standing.incidents == 0)
            let next = try await engine.recordAbuse(Fixture.abuse()).durable()
            #expect(try await engine.verifyRecord().problem == nil)
            #expect(next.standing.incidents == 1)
        }
    }

    @Test func writerThatStopped_refusesAtOnceAndMemoryKeepsNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-engine-\(UUID().uuidString)").path
        let store = try RecordStore(directory: directory, logger: Logger.silent)
        let engine = try Engine(store: store, policy: try Fixture.policy(), logger: Logger.silent)
        store.stopWriter()
        let recorded = try engine.recordAbuse(Fixture.abuse())
        await #expect(throws: EngineError.self) { try await recorded.durable() }
        #expect(engine.offerCall(call: "c1", caller: caller, dialed: nil, at: nil).decision.standing.incidents == 0)
        #expect(await engine.status().incidents == 0)
    }
}

/// Makes the record's commits fail, through a second connection to the same file: a trigger
/// that aborts every insert into the entries table.
struct RecordFault {
    static let message = "simulated write fault"
    let queue: DatabaseQueue

    init(path: String) throws {
        queue = try DatabaseQueue(path: path)
    }

    func failCommits() throws {
        try queue.write { db in
            try db.execute(sql: "CREATE TRIGGER fault BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, '\(Self.message)'); END")
        }
    }

    func clear() throws {
        try queue.write { db in try db.execute(sql: "DROP TRIGGER IF EXISTS fault") }
    }
}

extension Logger {
    /// The writer logs each failed commit at error priority: expected here, and not worth reading.
    static var silent: Logger { Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }) }
}
