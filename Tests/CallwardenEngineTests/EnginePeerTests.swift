import CallwardenCore
import CallwardenEngine
import CallwardenStore
import Foundation
import Logging
import Testing

/// The engine of a cluster node over a real record: peers' entries stored and folded in, kept
/// across a restart, shown by `history`; writes refused while told to.
@Suite("Engine of a cluster node")
struct EnginePeerTests {
    let caller = Fixture.caller
    static let node2: Int64 = 2 << 40

    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-engine-\(UUID().uuidString)").path
    }

    /// Runs `body` with an engine over the record in `directory`, its writer running.
    func withEngine<T>(_ directory: String, idFloor: Int64 = 1, _ body: (Engine, RecordStore) async throws -> T) async throws -> T {
        let store = try RecordStore(directory: directory, logger: Logger.silent, idFloor: idFloor)
        let engine = try Engine(store: store, policy: try Fixture.policy(), logger: Logger.silent)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            return try await body(engine, store)
        }
    }

    /// Stores peers' entries, then folds in those that were new, as a node's catch-up does.
    func receive(_ peers: [PeerEntry], store: RecordStore, engine: Engine) async throws {
        engine.applyPeerEntries(try await store.storePeerEntries(peers))
    }

    func peers(_ entries: [NewEntry], from sharedID: Int64 = 1) -> [PeerEntry] {
        entries.enumerated().map { offset, entry in
            EngineStatePeerTests.peer(sharedID + Int64(offset), id: Self.node2 + sharedID + Int64(offset), entry)
        }
    }

    func route(_ engine: Engine, _ call: String) -> RouteDecision {
        engine.offerCall(call: call, caller: caller, dialed: nil, at: nil).decision
    }

    @Test func restart_keepsPeersIncidentsForgivenessAndLadder() async throws {
        let directory = Self.directory()
        let now = Date().timeIntervalSince1970
        let own = try await withEngine(directory) { engine, store in
            let own = try await engine.recordAbuse(Fixture.abuse()).durable()
            try await receive(peers([
                NewEntry(type: .forgiveness, at: now, caller: caller, note: "apologised", ref: own.incident, by: "uid 0"),
                NewEntry(type: .incident, at: now, caller: "+447700900999", kind: "verbal"),
                NewEntry(type: .callStart, at: now - 200, caller: caller, call: "c1"),
                NewEntry(type: .incident, at: now - 190, caller: caller, call: "c1", kind: "verbal"),
                NewEntry(type: .warning, at: now - 120, caller: caller, call: "c1"),
                NewEntry(type: .incident, at: now - 110, caller: caller, call: "c1", kind: "verbal"),
                NewEntry(type: .verdict, at: now - 100, caller: caller, call: "c1", supervisor: "s2", outcome: "approve"),
            ]), store: store, engine: engine)
            #expect(route(engine, "before-restart").route == .supervisor)
            #expect(await engine.status().incidents == 4)
            return own
        }
        try await withEngine(directory) { engine, store in
            #expect(await engine.status().incidents == 4)
            // The own incident stays forgiven; the peer's incident on c1 counts.
            let decision = route(engine, "after-restart")
            #expect(decision.standing.incidents == 2)
            #expect(engine.explain(caller: caller, dialed: nil, at: nil).incidents.first { $0.id == own.incident }?.forgiven == true)
            #expect(engine.offerCall(call: "x", caller: "+447700900999", dialed: nil, at: nil).decision.route == .supervisor)
            // The call followed on node 2 is open here, with its ladder.
            let answer = try await engine.hangupRequest(call: "c1", agent: "a1", at: nil).durable()
            #expect(answer.rule == "supervisor-approved")
            // Entries folded in at start-up are not folded in twice.
            engine.applyPeerEntries(peers([NewEntry(type: .incident, at: now, caller: "+447700900999", kind: "verbal")], from: 2))
            #expect(await engine.status().incidents == 4)
        }
    }

    @Test func history_showsPeersIncidents_andTellsACallBothNodesTookOnce() async throws {
        let directory = Self.directory()
        let now = Date().timeIntervalSince1970
        let (first, second) = try await withEngine(directory) { engine, store in
            _ = engine.offerCall(call: "c1", caller: caller, dialed: nil, at: now - 300)
            let own = try await engine.recordAbuse(Fixture.abuse(call: "c1")).durable()
            try await receive(peers([
                NewEntry(type: .warning, at: now - 100, caller: caller, call: "c1", agent: "a2"),
                NewEntry(type: .incident, at: now - 90, caller: caller, call: "c2", kind: "verbal"),
            ]), store: store, engine: engine)
            let first = try await engine.history(caller: caller, at: nil, limit: 1)
            #expect(first.incidents.map(\.id) == [own.incident])
            let second = try await engine.history(caller: caller, at: nil, after: first.next, limit: 1)
            return (first, second)
        }
        #expect(second.incidents.map(\.id) == [Self.node2 + 2])
        #expect(second.next == nil)
        #expect(first.calls.map(\.call) == ["c1"])
        #expect(first.calls.first?.steps.map(\.type) == [.offered, .abuse, .warning])
        #expect(second.calls.isEmpty)
        #expect(first.standing.incidents == 2)
    }

    @Test func refusedWrites_areAnsweredUnavailable_withNothingQueued_whileRoutingGoesOn() async throws {
        try await withEngine(Self.directory()) { engine, store in
            _ = engine.offerCall(call: "c1", caller: caller, dialed: nil, at: nil)
            _ = try await engine.recordAbuse(Fixture.abuse(call: "c1")).durable()
            let reason = "the shared record cannot be reached and spooling is off; nothing was recorded"
            engine.refuseWrites(reason)
            #expect(engine.writesRefused == reason)
            let next = store.nextID
            let refused = EngineError.unavailable(reason)
            #expect(throws: refused) { try engine.recordAbuse(Fixture.abuse()) }
            #expect(throws: refused) { try engine.forgive(caller: caller, reason: "apologised", incident: nil, by: "uid 0", at: nil) }
            #expect(throws: refused) { try engine.addExemption(ExemptionRequest(target: caller, reason: "carer", until: nil, routes: []), by: "uid 0") }
            #expect(throws: refused) { try engine.removeExemption(id: 1, reason: "no longer", by: "uid 0") }
            #expect(throws: refused) { try engine.review(caller: caller, decision: .end, reason: "reviewed", by: "uid 0") }
            #expect(throws: refused) { try engine.warning(call: "c1", agent: "a1", at: nil) }
            #expect(throws: refused) { try engine.hangupRequest(call: "c1", agent: "a1", at: nil) }
            #expect(throws: refused) { try engine.verdict(call: "c1", approve: true, supervisor: "s1", at: nil) }
            #expect(throws: refused) { try engine.callEnded(call: "c1", by: "caller", outcome: "abusive", at: nil) }
            #expect(store.nextID == next)
            // Routing goes on, from memory: the incident recorded before still counts.
            #expect(route(engine, "c2").route == .supervisor)
            // And the call is as it was: its ladder took no step.
            engine.refuseWrites(nil)
            #expect(engine.writesRefused == nil)
            let warned = try await engine.warning(call: "c1", agent: "a1", at: nil).durable()
            #expect(warned)
            #expect(try await store.entries(call: "c1").map(\.entry.type) == [.callStart, .incident, .warning])
        }
    }

    @Test func nodeNumbersItsEntriesFromItsFloor_andPeersDoNotMoveIt() async throws {
        let floor: Int64 = 3 << 40
        try await withEngine(Self.directory(), idFloor: floor) { engine, store in
            try await receive(peers([NewEntry(type: .incident, at: Date().timeIntervalSince1970, caller: caller, kind: "verbal")]), store: store, engine: engine)
            let outcome = try await engine.recordAbuse(Fixture.abuse()).durable()
            #expect(outcome.incident == floor)
            #expect(store.lastCommittedID == floor)
        }
    }
}
