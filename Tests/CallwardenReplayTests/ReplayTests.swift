import CallwardenCore
import CallwardenReplay
import CallwardenStore
import Testing

@Suite("Replaying a recorded history through a candidate policy")
struct ReplayTests {
    static let nuisanceRecent = "+447700900001"
    static let nuisanceOld = "+447700900002"
    static let nuisanceForgiven = "+447700900003"
    static let verbal = "+447700900004"
    static let nuisanceYesterday = "+447700900005"

    /// Five callers and an anonymous call: two callers whose nuisance incidents still count (one
    /// of them with a calm call since), one whose nuisance has faded, one forgiven, one verbal
    /// abuser.
    static func history() -> RecordedHistory {
        var record = RecordedHistory()
        record.abusiveCall(nuisanceRecent, kind: "nuisance", daysAgo: 5)
        record.resolvedCall(nuisanceRecent, daysAgo: 2)
        record.abusiveCall(nuisanceOld, kind: "nuisance", daysAgo: 300)
        record.resolvedCall(nuisanceOld, daysAgo: 100)
        let forgiven = record.abusiveCall(nuisanceForgiven, kind: "nuisance", daysAgo: 6)
        record.forgive(nuisanceForgiven, incident: forgiven.incident, daysAgo: 4)
        record.resolvedCall(nuisanceForgiven, daysAgo: 3)
        record.abusiveCall(verbal, kind: "verbal", daysAgo: 8)
        record.resolvedCall(verbal, daysAgo: 1)
        record.abusiveCall(nuisanceYesterday, kind: "nuisance", daysAgo: 1)
        record.abusiveCall(nil, kind: "nuisance", daysAgo: 1)
        return record
    }

    static func replay(_ record: RecordedHistory, candidate: Policy, since: Double? = nil) throws -> ReplayReport {
        var replayer = Replayer(live: try Policies.shipped(), candidate: candidate, since: since, now: RecordedHistory.now)
        for entry in record.entries { replayer.apply(entry) }
        return replayer.finish()
    }

    @Test("An identical candidate changes nothing")
    func identicalPolicy() throws {
        let report = try Self.replay(Self.history(), candidate: try Policies.shipped())
        #expect(!report.changed)
        #expect(report.atCalls.changed == 0 && report.atNow.changed == 0 && report.hangups.changed == 0)
        #expect(report.atCalls.transitions.isEmpty && report.atNow.transitions.isEmpty)
        #expect(report.callersChanged == 0)
        #expect(report.calls == 10)
        #expect(report.callersNow == 5)
        #expect(report.entries == Self.history().entries.count)
    }

    @Test("A candidate that moves nuisance callers elsewhere names exactly those callers")
    func nuisanceMoved() throws {
        let report = try Self.replay(Self.history(), candidate: try Policies.nuisanceToCallback())
        #expect(report.changed)
        let nuisance = RouteOutcome(route: .nuisance, queue: "nuisance", priority: 0, rule: "nuisance")
        let callback = RouteOutcome(route: .normal, queue: "callback", priority: 2, rule: "nuisance")

        // At recorded calls: only the calm call of the caller whose nuisance still counted was
        // routed to the nuisance queue (every other call came before or without one).
        #expect(report.atCalls.transitions == [Transition(from: nuisance, to: callback, decisions: 1, callers: 1, examples: [Self.nuisanceRecent])])
        // Now: the two callers whose nuisance incidents still count, and nobody else.
        #expect(report.atNow.transitions.count == 1)
        let now = try #require(report.atNow.transitions.first)
        #expect(now.from == nuisance && now.to == callback)
        #expect(Set(now.examples) == [Self.nuisanceRecent, Self.nuisanceYesterday])
        #expect(now.callers == 2 && now.decisions == 2)
        #expect(report.callersChanged == 2)
        #expect(report.hangups.changed == 0)
    }

    @Test("Calls dated before --since are not decision points; the history before them still counts")
    func sinceLimitsDecisionPoints() throws {
        let report = try Self.replay(Self.history(), candidate: try Policies.nuisanceToCallback(), since: RecordedHistory.ago(1.5))
        // Left: the verbal caller's calm call and the two abusive calls of a day ago.
        #expect(report.calls == 3)
        #expect(report.atCalls.changed == 0)
        #expect(report.atNow.changed == 2)
    }

    @Test("Hang-up answers that differ are counted with the call, old and new answer")
    func hangupAnswersDiffer() throws {
        var record = RecordedHistory()
        let call = record.ladderCall("+447700900010", daysAgo: 3)
        let candidate = try Policies.shipped(replacing: "  supervisor_required: true\n", with: "  supervisor_required: false\n")
        let report = try Self.replay(record, candidate: candidate)
        #expect(report.hangups.requests == 1)
        #expect(report.hangups.changed == 1)
        let moved = try #require(report.hangups.transitions.first)
        #expect(moved.from == .supervisorRequired && moved.to == .authorised)
        #expect(moved.examples.map(\.call) == [call])
        #expect(moved.examples.first?.caller == "+447700900010")
        #expect(report.changed)
    }

    @Test("Rules of the candidate that decide nothing are named")
    func neverDecidedRules() throws {
        let report = try Self.replay(Self.history(), candidate: try Policies.shipped())
        // No physical threat is on record.
        #expect(report.neverDecided.map(\.name) == ["physical-threat"])
    }

    @Test("An incident recorded during a call, before its first ladder step, is not history at the call's offer")
    func incidentDuringCallIsNotBeforeIt() throws {
        var record = RecordedHistory()
        let caller = "+447700900020"
        // The call is offered; an abuse for the same caller arrives (by caller, on another line)
        // before the call's first ladder step writes its call_start, dated at the offer.
        record.append(NewEntry(type: .incident, at: RecordedHistory.ago(1), caller: caller, kind: "nuisance", agent: "agent-3"))
        record.append(NewEntry(type: .callStart, at: RecordedHistory.ago(1) - 60, caller: caller, call: "c-1"))
        record.append(NewEntry(type: .warning, at: RecordedHistory.ago(1) + 10, caller: caller, call: "c-1"))
        let report = try Self.replay(record, candidate: try Policies.nuisanceToCallback())
        // The call itself was routed with a clean history: no change there; the caller now is.
        #expect(report.atCalls.changed == 0)
        #expect(report.atNow.changed == 1)
    }
}
