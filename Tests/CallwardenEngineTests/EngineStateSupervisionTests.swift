@testable import CallwardenEngine
import CallwardenCore
import CallwardenStore
import Testing

/// Supervisor requests on the engine's state as a value: asked, answered, ended, timed out, taken
/// back with the entries that caused them, and told in the record's order once durable.
@Suite("Supervisor requests on the engine state")
struct EngineStateSupervisionTests {
    let now = Fixture.now
    /// The shipped policy's `ladder.supervisor_timeout`.
    let timeout = 120.0

    /// A call that climbed the ladder (abuse, vent, warning, abuse again) and whose agent asked to
    /// end it at `now + 90`: answered `supervisor_required`.
    func asked(_ state: inout EngineState, call: String = "c1", commit: Bool = true) throws -> Step<(HangupDecision, Caller)> {
        _ = state.offerCall(call: call, caller: .known(Fixture.caller), dialed: nil, now: now, opened: now)
        for step in [
            try state.recordAbuse(Fixture.abuse(call: call), now: now + 1).ids!,
            try state.warning(call: call, agent: "agent-1", now: now + 70).ids!,
            try state.recordAbuse(Fixture.abuse(call: call), now: now + 80).ids!,
        ] where commit {
            state.committed(through: step.upperBound)
        }
        let request = try state.hangupRequest(call: call, agent: "agent-1", now: now + 90)
        #expect(request.outcome.0.answer == .supervisorRequired)
        return request
    }

    /// Each notice as `event call [verdict by]`, to compare in order.
    func told(_ notices: [EngineNotice]) -> [String] {
        notices.map { notice in
            var text = "\(notice.event ?? "?") \(notice.supervisorRequest?.call ?? "?")"
            if case .supervisorAnswered(_, let verdict, let by) = notice { text += " \(verdict) \(by ?? "-")" }
            return text
        }
    }

    @Test func supervisorRequired_opensOneRequest_withWhatASupervisorNeeds() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        let request = try #require(state.supervision["c1"])
        #expect(request.caller == .known(Fixture.caller))
        #expect(request.agent == "agent-1")
        #expect(request.standing.incidents == 2)
        #expect(request.standing.score > 0)
        #expect(request.rule == "supervisor-required")
        #expect(!request.reason.isEmpty)
        #expect(request.askedAt == now + 90)
        #expect(request.deadline == now + 90 + timeout)
        #expect(request.entry == step.ids!.upperBound)
    }

    @Test func theNotice_waitsUntilTheRequestIsCommitted() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        #expect(state.takeReadyNotices().isEmpty)
        state.committed(through: step.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1"])
        #expect(state.takeReadyNotices().isEmpty)
    }

    @Test func askingAgain_keepsTheFirstRequestAndTellsNothingNew() throws {
        var state = try Fixture.state()
        let first = try asked(&state)
        let again = try state.hangupRequest(call: "c1", agent: "agent-2", now: now + 100)
        #expect(again.outcome.0.answer == .supervisorRequired)
        state.committed(through: again.ids!.upperBound)
        #expect(state.supervision.count == 1)
        #expect(state.supervision["c1"]?.askedAt == now + 90)
        #expect(state.supervision["c1"]?.entry == first.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1"])
    }

    @Test func aVerdict_answersTheRequest_andKeepsItsReasonInTheRecord() throws {
        var state = try Fixture.state()
        _ = try asked(&state)
        let verdict = try state.verdict(call: "c1", approve: false, supervisor: "s1", reason: "I will take the call", now: now + 95)
        #expect(verdict.entries.last?.note == "I will take the call")
        #expect(state.supervision.isEmpty)
        state.committed(through: verdict.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1", "supervisor.answered c1 deny s1"])
    }

    @Test func aVerdictWithNothingPending_tellsNothing() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(Fixture.caller), dialed: nil, now: now, opened: now)
        let verdict = try state.verdict(call: "c1", approve: true, supervisor: "s1", now: now + 5)
        state.committed(through: verdict.ids!.upperBound)
        #expect(state.takeReadyNotices().isEmpty)
    }

    @Test func theCallsEnd_closesTheRequestAsEnded() throws {
        var state = try Fixture.state()
        _ = try asked(&state)
        let end = try state.callEnded(call: "c1", by: "caller", outcome: "abusive", now: now + 100)
        #expect(state.supervision.isEmpty)
        state.committed(through: end.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1", "supervisor.answered c1 ended caller"])
    }

    @Test func aCallClosedByTheDaemon_closesTheRequestAsEndedBySystem() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        state.committed(through: step.ids!.upperBound)
        _ = state.takeReadyNotices()
        let close = state.closeExpiredCalls(now: now + state.policy.policy.ladder.maxCallLength + 1)
        #expect(state.supervision.isEmpty)
        state.committed(through: close.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.answered c1 ended system"])
    }

    @Test func aRequestTakenBack_isForgottenAndNeverTold() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        state.rollBack(from: step.firstID)
        #expect(state.supervision.isEmpty)
        let later = try state.recordAbuse(Fixture.abuse(caller: "+447700900999"), now: now + 100)
        state.committed(through: later.ids!.upperBound)
        #expect(state.takeReadyNotices().isEmpty)
    }

    @Test func aVerdictTakenBack_leavesTheRequestPending() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        state.committed(through: step.ids!.upperBound)
        _ = state.takeReadyNotices()
        let verdict = try state.verdict(call: "c1", approve: true, supervisor: "s1", now: now + 95)
        state.rollBack(from: verdict.firstID)
        #expect(state.supervision["c1"]?.entry == step.ids!.upperBound)
        #expect(state.takeReadyNotices().isEmpty)
    }

    @Test func theDeadline_timesTheRequestOut_andNotBefore() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        state.committed(through: step.ids!.upperBound)
        _ = state.takeReadyNotices()
        #expect(state.timeOutSupervisorRequests(now: now + 90 + timeout - 1) == 0)
        #expect(state.supervision.nextDeadline == now + 90 + timeout)
        #expect(state.timeOutSupervisorRequests(now: now + 90 + timeout) == 1)
        #expect(state.supervision.isEmpty)
        #expect(state.supervision.nextDeadline == nil)
        #expect(told(state.takeReadyNotices()) == ["supervisor.timeout c1"])
    }

    @Test func aTimeout_isNeverToldBeforeTheRequestItEnds() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        state.timeOutSupervisorRequests(now: now + 90 + timeout)
        #expect(state.takeReadyNotices().isEmpty)
        state.committed(through: step.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1", "supervisor.timeout c1"])
    }

    @Test func aTimeoutBehindAFailedWrite_bringsTheRequestBackToTimeOutAgain() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        state.committed(through: step.ids!.upperBound)
        _ = state.takeReadyNotices()
        let failed = try state.recordAbuse(Fixture.abuse(caller: "+447700900999"), now: now + 100)
        state.timeOutSupervisorRequests(now: now + 90 + timeout)
        state.rollBack(from: failed.firstID)
        #expect(state.supervision["c1"] != nil)
        #expect(state.takeReadyNotices().isEmpty)
        #expect(state.timeOutSupervisorRequests(now: now + 90 + timeout) == 1)
        #expect(told(state.takeReadyNotices()) == ["supervisor.timeout c1"])
    }

    @Test func aRequestDatedBeforeTheDeadline_afterTheTimeout_asksNoSupervisorAgain() throws {
        var state = try Fixture.state()
        let step = try asked(&state)
        state.committed(through: step.ids!.upperBound)
        state.timeOutSupervisorRequests(now: now + 90 + timeout)
        // A switch whose clock runs behind the daemon's: still before the deadline by its `at`.
        let behind = try state.hangupRequest(call: "c1", agent: "agent-1", now: now + 100)
        #expect(behind.outcome.0.answer == .supervisorRequired)
        state.committed(through: behind.ids!.upperBound)
        #expect(state.supervision.isEmpty)
        #expect(state.timeOutSupervisorRequests(now: now + 90 + timeout + 1) == 0)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1", "supervisor.timeout c1"])
        // A reload that lengthens the wait lets the call ask again.
        state.policy.policy.ladder.supervisorTimeout = 600
        state.retimeSupervision()
        let later = try state.hangupRequest(call: "c1", agent: "agent-1", now: now + 101)
        state.committed(through: later.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1"])
    }

    @Test func aHangupTheLadderAuthorisesAtTheDeadline_endsTheRequestAsTimedOut() throws {
        var state = try Fixture.state()
        _ = try asked(&state)
        let late = try state.hangupRequest(call: "c1", agent: "agent-1", now: now + 90 + timeout)
        #expect(late.outcome.0.rule == "supervisor-timeout")
        #expect(state.supervision.isEmpty)
        state.committed(through: late.ids!.upperBound)
        #expect(told(state.takeReadyNotices()) == ["supervisor.needed c1", "supervisor.timeout c1"])
    }

    @Test func aPolicyThatWaitsForEver_clearsTheDeadlines() throws {
        var state = try Fixture.state()
        _ = try asked(&state)
        state.policy.policy.ladder.supervisorTimeout = 0
        state.retimeSupervision()
        #expect(state.supervision["c1"] != nil)
        #expect(state.supervision["c1"]?.deadline == nil)
        #expect(state.timeOutSupervisorRequests(now: now + 86_400 * 365) == 0)
        state.policy.policy.ladder.supervisorTimeout = 30
        state.retimeSupervision()
        #expect(state.supervision["c1"]?.deadline == now + 90 + 30)
    }

    @Test func afterADenyAndMoreAbuse_theNewRequestKeepsTheFirstAsksDeadline() throws {
        var state = try Fixture.state()
        _ = try asked(&state)
        _ = try state.verdict(call: "c1", approve: false, supervisor: "s1", now: now + 95)
        _ = try state.recordAbuse(Fixture.abuse(call: "c1"), now: now + 100)
        let again = try state.hangupRequest(call: "c1", agent: "agent-1", now: now + 110)
        #expect(again.outcome.0.answer == .supervisorRequired)
        #expect(state.supervision["c1"]?.askedAt == now + 110)
        // The ladder counts from the first time a supervisor was asked in the call.
        #expect(state.supervision["c1"]?.deadline == now + 90 + timeout)
    }

    @Test func pendingRequests_areListedEarliestAskedFirst_andTimeOutEarliestDeadlineFirst() {
        var pending = PendingSupervision()
        func request(_ call: String, asked: Double, deadline: Double?) -> SupervisorRequest {
            SupervisorRequest(call: call, caller: .anonymous, agent: nil, standing: .clean, rule: "supervisor-required", reason: "", askedAt: asked, deadline: deadline, entry: 1)
        }
        let added = [
            pending.ask(request("b", asked: 2, deadline: 10)), pending.ask(request("a", asked: 3, deadline: 5)),
            pending.ask(request("c", asked: 1, deadline: nil)), pending.ask(request("a", asked: 9, deadline: 1)),
        ]
        #expect(added == [true, true, true, false])
        #expect(pending.all.map(\.call) == ["c", "b", "a"])
        #expect(pending.nextDeadline == 5)
        let due = pending.due(at: 100)
        #expect(due.map(\.call) == ["a", "b"])
        #expect(pending.all.map(\.call) == ["c"])
    }
}
