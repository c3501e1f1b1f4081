@testable import CallwardenEngine
import CallwardenCore
import CallwardenStore
import Testing

/// Other nodes' entries folded into the engine's state as a value, and writes refused.
@Suite("Engine state: peers' entries and refused writes")
struct EngineStatePeerTests {
    let now = Fixture.now
    let key = Fixture.caller
    /// Node 2's first id.
    static let node2: Int64 = 2 << 40

    static func peer(_ sharedID: Int64, node: Int = 2, id: Int64, _ entry: NewEntry) -> PeerEntry {
        PeerEntry(sharedID: sharedID, node: node, stored: StoredEntry(id: id, recordedAt: Fixture.now, entry: entry, hash: String(repeating: "ab", count: 32)))
    }

    static func incident(at: Double, kind: String = "verbal", call: String? = nil, agent: String? = "a2") -> NewEntry {
        NewEntry(type: .incident, at: at, caller: Fixture.caller, call: call, kind: kind, agent: agent, attestation: "C")
    }

    func route(_ state: inout EngineState, call: String = "route-check") -> RouteDecision {
        state.offerCall(call: call, caller: .known(key), dialed: nil, now: now, opened: now).outcome.decision
    }

    @Test func peerIncident_changesTheCallersStandingAndRoute_withItsTrust() throws {
        var state = try Fixture.state()
        #expect(route(&state).route == .normal)
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, Self.incident(at: now - 60))], now: now)
        #expect(state.histories[key]?.incidents == [IncidentSummary(id: Self.node2 + 1, kind: "verbal", at: now - 60, trust: .c)])
        #expect(state.incidentCount == 1)
        let decision = route(&state, call: "second")
        #expect(decision.route == .supervisor)
        #expect(decision.standing.incidents == 1)
    }

    @Test func peerForgivenessOfAnOwnIncident_restoresTheRoute() throws {
        var state = try Fixture.state()
        let own = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: own.firstID)
        #expect(route(&state).route == .supervisor)
        let forgiveness = NewEntry(type: .forgiveness, at: now + 10, caller: key, note: "apologised", ref: own.outcome.incident, by: "uid 0")
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, forgiveness)], now: now)
        #expect(state.histories[key]?.incidents.first?.forgiven == true)
        #expect(route(&state, call: "second").route == .normal)
    }

    @Test func peerLadder_isFoundByALocalHangupRequest_whoseEntriesDoNotStartTheCallAgain() throws {
        var state = try Fixture.state()
        let entries = [
            NewEntry(type: .callStart, at: now, caller: key, call: "c1", attestation: "A"),
            Self.incident(at: now + 10, call: "c1"),
            NewEntry(type: .warning, at: now + 80, caller: key, call: "c1", agent: "a2"),
            Self.incident(at: now + 90, call: "c1"),
            NewEntry(type: .verdict, at: now + 100, caller: key, call: "c1", supervisor: "s2", outcome: "approve"),
        ]
        state.applyPeerEntries(entries.enumerated().map { Self.peer(Int64($0.offset + 1), id: Self.node2 + Int64($0.offset + 1), $0.element) }, now: now)
        let step = try state.hangupRequest(call: "c1", agent: "a1", now: now + 120)
        #expect(step.outcome.0.answer == .authorised)
        #expect(step.outcome.0.rule == "supervisor-approved")
        #expect(step.entries.map(\.type) == [.hangupRequest])
        // The call's trust came with its start: an incident recorded here carries it.
        let abuse = try state.recordAbuse(AbuseReport(call: "c1", caller: nil, kind: "verbal", agent: "a1", note: nil, at: nil), now: now + 130)
        #expect(abuse.entries.map(\.attestation) == ["A"])
    }

    @Test func peerCallEnd_closesTheCallHere() throws {
        var state = try Fixture.state()
        state.applyPeerEntries([
            Self.peer(1, id: Self.node2 + 1, NewEntry(type: .callStart, at: now, caller: key, call: "c1")),
            Self.peer(2, id: Self.node2 + 2, NewEntry(type: .callEnd, at: now + 30, caller: key, call: "c1", by: "caller", outcome: "resolved")),
        ], now: now)
        #expect(state.calls["c1"] == nil)
        #expect(throws: EngineError.unknownCall("c1")) { try state.warning(call: "c1", agent: "a1", now: now + 40) }
    }

    @Test func peerCallStart_forACallOfferedHere_keepsItsLadder_andMarksItsStartRecorded() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(key), dialed: nil, now: now, opened: now)
        state.applyPeerEntries([
            Self.peer(1, id: Self.node2 + 1, NewEntry(type: .callStart, at: now - 5, caller: key, call: "c1")),
            Self.peer(2, id: Self.node2 + 2, Self.incident(at: now + 10, call: "c1")),
        ], now: now)
        let warning = try state.warning(call: "c1", agent: "a1", now: now + 80)
        #expect(warning.entries.map(\.type) == [.warning])
        #expect(state.calls["c1"]?.ladder.abuse.count == 1)
    }

    @Test func rollBackOfAnOwnFailedWrite_keepsAPeerIncidentAppliedMeanwhile() throws {
        var state = try Fixture.state()
        let own = try state.recordAbuse(Fixture.abuse(), now: now)
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, Self.incident(at: now + 1, kind: "threat"))], now: now)
        state.rollBack(from: own.firstID)
        #expect(state.histories[key]?.incidents.map(\.id) == [Self.node2 + 1])
        #expect(state.incidentCount == 1)
        #expect(route(&state).route == .supervisor)
    }

    @Test func rollBackOfAnOwnLadderStep_keepsAPeerIncidentInTheSameCallAppliedMeanwhile() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(key), dialed: nil, now: now, opened: now)
        let own = try state.warning(call: "c1", agent: "agent-1", now: now + 10)
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, Self.incident(at: now + 20, call: "c1"))], now: now)
        state.rollBack(from: own.firstID)
        #expect(state.calls["c1"]?.ladder.abuse.count == 1)
        #expect(state.calls["c1"]?.ladder.warnings.isEmpty == true)
    }

    @Test func rollBackOfAnOwnForgiveness_keepsTheGraceWindowAndForgivenessOfAPeerAppliedMeanwhile() throws {
        var state = try Fixture.state()
        let abuse = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: abuse.firstID)
        let own = try state.forgive(caller: key, reason: "apologised", incident: nil, grace: 3600, by: "uid 0", now: now + 10)
        let forgiveness = NewEntry(type: .forgiveness, at: now + 20, caller: key, note: "apologised to us too", ref: abuse.outcome.incident, by: "uid 0", until: now + 7200)
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, forgiveness)], now: now)
        state.rollBack(from: own.firstID)
        #expect(state.histories[key]?.grace == GraceWindow(from: now + 20, until: now + 7200))
        #expect(state.histories[key]?.incidents.first?.forgiven == true)
    }

    @Test func rollBackOfAnOwnReviewRenewal_keepsAPeerReviewEndAppliedMeanwhile() throws {
        var state = try Fixture.state()
        let abuse = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: abuse.firstID)
        let own = try state.review(caller: key, decision: .renew, reason: "still abusive", by: "uid 0", now: now + 10)
        let end = NewEntry(type: .review, at: now + 20, caller: key, note: "reviewed", by: "uid 0", outcome: "end")
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, end)], now: now)
        state.rollBack(from: own.firstID)
        #expect(state.histories[key]?.review.endedAt == now + 20)
        #expect(state.histories[key]?.review.renewedAt == nil)
    }

    @Test func peerEntries_takeNoIDAndLeaveTheAgentsAndCommitsAlone() throws {
        var state = try Fixture.state(nextID: 9)
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, Self.incident(at: now, kind: "threat", agent: "agent-1"))], now: now)
        #expect(state.nextID == 9)
        #expect(state.uncommitted.isEmpty)
        #expect(state.agents == AgentLedger())
        // Numbered as before: the peer's entry did not take one of this node's ids.
        let own = try state.recordAbuse(Fixture.abuse(), now: now)
        #expect(own.firstID == 9)
    }

    @Test func peerEntryMemoryHoldsAlready_changesNothing() throws {
        var state = try Fixture.state()
        let incident = Self.peer(1, id: Self.node2 + 1, Self.incident(at: now - 60, call: "c1"))
        let start = Self.peer(2, id: Self.node2 + 2, NewEntry(type: .callStart, at: now, caller: key, call: "c2"))
        let warning = Self.peer(3, id: Self.node2 + 3, NewEntry(type: .warning, at: now + 70, caller: key, call: "c2"))
        #expect(state.applyPeerEntries([incident, start, warning], now: now) == 3)
        let histories = state.histories
        let ladder = state.calls["c2"]?.ladder
        #expect(state.applyPeerEntries([incident, start, warning], now: now) == 0)
        #expect(state.applyPeerEntries([start], now: now) == 0)
        #expect(state.histories == histories)
        #expect(state.incidentCount == 1)
        #expect(state.calls["c2"]?.ladder == ladder)
        // Another node's entry with the same low id is its own, and is folded in.
        #expect(state.applyPeerEntries([Self.peer(4, node: 3, id: Self.node2 + 1, Self.incident(at: now - 30))], now: now) == 1)
        #expect(state.incidentCount == 2)
    }

    @Test func peerExemptionAndItsEnd_areFoldedIn() throws {
        var state = try Fixture.state()
        let abuse = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: abuse.firstID)
        let exemption = NewEntry(type: .exemption, at: now, caller: key, note: "carer", by: "uid 0", outcome: "supervisor")
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, exemption)], now: now)
        #expect(route(&state).route == .normal)
        let end = NewEntry(type: .exemptionEnd, at: now + 1, caller: key, note: "no longer", ref: Self.node2 + 1, by: "uid 0")
        state.applyPeerEntries([Self.peer(2, id: Self.node2 + 2, end)], now: now)
        #expect(route(&state, call: "second").route == .supervisor)
    }

    @Test func peerReviewEnd_liftsTheRestriction() throws {
        var state = try Fixture.state()
        let abuse = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: abuse.firstID)
        let review = NewEntry(type: .review, at: now + 1, caller: key, note: "reviewed", by: "uid 0", outcome: "end")
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, review)], now: now)
        #expect(state.histories[key]?.review.endedAt == now + 1)
        #expect(route(&state).route == .normal)
    }

    @Test func peerVerdict_answersTheSupervisorRequestAskedHere() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(key), dialed: nil, now: now, opened: now)
        _ = try state.recordAbuse(Fixture.abuse(call: "c1"), now: now + 1)
        _ = try state.warning(call: "c1", agent: "agent-1", now: now + 70)
        _ = try state.recordAbuse(Fixture.abuse(call: "c1"), now: now + 80)
        state.committed(through: state.nextID - 1)
        let asked = try state.hangupRequest(call: "c1", agent: "agent-1", now: now + 90)
        #expect(asked.outcome.0.answer == .supervisorRequired)
        state.committed(through: state.nextID - 1)
        #expect(state.takeReadyNotices().count == 1)
        let verdict = NewEntry(type: .verdict, at: now + 100, caller: key, call: "c1", supervisor: "s2", outcome: "approve")
        state.applyPeerEntries([Self.peer(1, id: Self.node2 + 1, verdict)], now: now)
        #expect(state.supervision.isEmpty)
        let notices = state.takeReadyNotices()
        guard case .supervisorAnswered(_, let answer, let by)? = notices.first else {
            Issue.record("no answer was told: \(notices)")
            return
        }
        #expect(answer == "approve")
        #expect(by == "s2")
    }

    @Test func refusedWrites_areAnsweredUnavailable_beforeAnythingIsApplied() throws {
        var state = try Fixture.state()
        state.writesRefused = "the shared record cannot be reached"
        #expect(throws: EngineError.unavailable("the shared record cannot be reached")) { try state.requireWritable() }
        state.writesRefused = nil
        try state.requireWritable()
    }
}
