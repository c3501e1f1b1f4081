@testable import CallwardenEngine
import CallwardenCore
import CallwardenStore
import Testing

@Suite("Engine state as a value")
struct EngineStateTests {
    let now = Fixture.now
    let key = Fixture.caller

    @Test func abuse_isNumberedFromNextID_andAddedToTheCallersHistory() throws {
        var state = try Fixture.state(nextID: 41)
        let step = try state.recordAbuse(Fixture.abuse(), now: now)
        #expect(step.firstID == 41)
        #expect(step.entries.map(\.type) == [.incident])
        #expect(step.outcome.incident == 41)
        #expect(state.nextID == 42)
        #expect(state.histories[key]?.incidents.map(\.id) == [41])
        #expect(state.incidentCount == 1)
    }

    @Test func rollBack_removesAnIncidentThatWasNotCommitted() throws {
        var state = try Fixture.state()
        let step = try state.recordAbuse(Fixture.abuse(), now: now)
        state.rollBack(from: step.firstID)
        #expect(state.histories[key] == nil)
        #expect(state.incidentCount == 0)
        #expect(state.policy.policy.route(CallContext(caller: .known(key), dialed: nil), history: state.history(of: .known(key)), at: now).route == .normal)
    }

    @Test func rollBack_keepsWhatWasCommitted() throws {
        var state = try Fixture.state()
        let first = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: first.firstID)
        let second = try state.recordAbuse(Fixture.abuse("threat"), now: now)
        state.rollBack(from: second.firstID)
        #expect(state.histories[key]?.incidents.map(\.id) == [first.outcome.incident])
        #expect(state.incidentCount == 1)
    }

    @Test func rollBack_takesBackEverythingQueuedAfterTheFailedWrite() throws {
        var state = try Fixture.state()
        let kept = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: kept.firstID)
        let failed = try state.recordAbuse(Fixture.abuse("threat"), now: now)
        _ = try state.forgive(caller: key, reason: "apologised", incident: nil, by: "uid 0", now: now)
        _ = try state.recordAbuse(Fixture.abuse("nuisance", caller: "+447700900999"), now: now)
        state.rollBack(from: failed.firstID)
        #expect(state.histories[key]?.incidents == [IncidentSummary(id: kept.outcome.incident, kind: "verbal", at: now)])
        #expect(state.histories["+447700900999"] == nil)
        #expect(state.incidentCount == 1)
    }

    @Test func rollBack_unforgivesAnIncident() throws {
        var state = try Fixture.state()
        let abuse = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: abuse.firstID)
        let forgiven = try state.forgive(caller: key, reason: "apologised", incident: nil, by: "uid 0", now: now)
        #expect(forgiven.outcome.forgiven == [abuse.outcome.incident])
        #expect(state.histories[key]?.incidents.first?.forgiven == true)
        state.rollBack(from: forgiven.firstID)
        #expect(state.histories[key]?.incidents.first?.forgiven == false)
    }

    @Test func forgive_withABlankReason_isRefusedAndChangesNothing() throws {
        var state = try Fixture.state()
        _ = try state.recordAbuse(Fixture.abuse(), now: now)
        let before = state.histories
        #expect(throws: EngineError.badRequest("a reason is required: it is kept in the record")) {
            try state.forgive(caller: key, reason: " \t", incident: nil, by: "uid 0", now: now)
        }
        #expect(state.histories == before)
    }

    @Test func abuse_ofAnUnknownKind_isRefusedAndTakesNoID() throws {
        var state = try Fixture.state(nextID: 7)
        #expect(throws: EngineError.self) { try state.recordAbuse(Fixture.abuse("angry"), now: now) }
        #expect(state.nextID == 7)
        #expect(state.histories.isEmpty)
    }

    @Test func warning_rolledBack_leavesTheLadderAsItWas() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(key), dialed: nil, now: now, opened: now)
        let warning = try state.warning(call: "c1", agent: "agent-1", now: now + 90)
        #expect(warning.entries.map(\.type) == [.callStart, .warning])
        #expect(state.calls["c1"]?.ladder.hasActivity == true)
        state.rollBack(from: warning.firstID)
        #expect(state.calls["c1"]?.ladder.hasActivity == false)
        #expect(state.calls["c1"]?.startRecorded == false)
    }

    @Test func callEnded_rolledBack_reopensTheCall() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(key), dialed: nil, now: now, opened: now)
        _ = try state.warning(call: "c1", agent: nil, now: now + 90)
        let end = try state.callEnded(call: "c1", by: "agent", outcome: "abusive", now: now + 120)
        #expect(state.calls["c1"] == nil)
        state.rollBack(from: end.firstID)
        #expect(state.calls["c1"]?.startRecorded == true)
    }

    @Test func callEnded_unknownCall_isRefused() throws {
        var state = try Fixture.state()
        #expect(throws: EngineError.unknownCall("nope")) { try state.callEnded(call: "nope", by: nil, outcome: nil, now: now) }
    }

    @Test func expiry_goesByTheDaemonsClock_notTheEventsAt() throws {
        var state = try Fixture.state()
        let farFuture = now + 100 * 365 * 86_400
        let maximum = state.policy.policy.ladder.maxCallLength
        _ = state.offerCall(call: "future", caller: .known(key), dialed: nil, now: farFuture, opened: now)
        _ = state.offerCall(call: "later", caller: .known("+447700900999"), dialed: nil, now: now + 1, opened: now + 1)
        let close = state.closeExpiredCalls(now: now + maximum + 2)
        #expect(close.outcome.calls == 2)
        #expect(state.calls.count == 0)
    }

    @Test func expiry_recordsTheEndOfCallsWhoseLadderHadBegun() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(key), dialed: nil, now: now, opened: now)
        let warning = try state.warning(call: "c1", agent: nil, now: now + 90)
        state.committed(through: warning.ids!.upperBound)
        let close = state.closeExpiredCalls(now: now + state.policy.policy.ladder.maxCallLength + 1)
        #expect(close.entries.map(\.type) == [.callEnd])
        #expect(close.entries.first?.by == "system")
    }

    @Test func resolvedCalls_areBoundedPerCaller() throws {
        var state = try Fixture.state(capacity: 10)
        _ = try state.recordAbuse(Fixture.abuse(), now: now)
        for index in 0..<200 {
            let at = now + Double(index)
            _ = state.offerCall(call: "c\(index)", caller: .known(key), dialed: nil, now: at, opened: at)
            _ = try state.callEnded(call: "c\(index)", by: "caller", outcome: "resolved", now: at + 1)
        }
        #expect(state.histories[key]?.resolvedCalls.count == EngineState.maximumCredits)
    }

    @Test func committed_clearsTheDegradedMark() throws {
        var state = try Fixture.state()
        state.degraded = Degraded(since: now, failedWrites: 3)
        let step = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: step.firstID)
        #expect(state.degraded == nil)
    }
}
