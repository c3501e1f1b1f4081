@testable import CallwardenEngine
import CallwardenCore
import CallwardenStore
import Testing

/// The agents' counters and welfare rules, on the ledger and the engine state as values.
@Suite("Agents looked after")
struct AgentLedgerTests {
    let policy = try! Fixture.policy().policy
    let now = Fixture.now

    /// Records `kind` against `agent` at `now + offset`, in `call`; returns the rules raised.
    @discardableResult
    func take(_ ledger: inout AgentLedger, _ id: Int64, agent: String = "a1", _ kind: String = "verbal", call: String?, at offset: Double) -> [String] {
        ledger.record(incident: id, agent: agent, at: now + offset, kind: kind, call: call, policy: policy).map(\.rule)
    }

    @Test func callsInAWindow_stopAtTheLimitAsked_andCountEachCallOnce() {
        let rule = WelfareRule(name: "r", kinds: nil, incidents: 3, within: 3600, say: "s")
        let taken = (0..<40).map { index in
            AgentLedger.Taken(incident: Int64(index), at: now - Double(index), kind: "verbal", callKey: index / 2, threat: false)
        }
        #expect(AgentLedger.calls(in: taken, rule: rule, endingAt: now) == 20)
        #expect(AgentLedger.calls(in: taken, rule: rule, endingAt: now, upTo: 3) == 3)
        #expect(AgentLedger.calls(in: taken, rule: rule, endingAt: now, upTo: 100) == 20)
        #expect(AgentLedger.calls(in: Array(taken.prefix(3)), rule: rule, endingAt: now, upTo: 3) == 2)
    }

    @Test func undo_takesBackAnIncidentAndRestoresWhatItTrimmed() {
        var ledger = AgentLedger()
        for id in 1...Int64(AgentLedger.maximumKept) { take(&ledger, id, call: "c\(id)", at: -3600 + Double(id) / 1000) }
        let before = ledger["a1"]
        var change = AgentLedger.Change(agent: "a1", incident: 5000)
        _ = ledger.record(incident: 5000, agent: "a1", at: now, kind: "verbal", call: "last", policy: policy, change: &change)
        #expect(ledger["a1"]?.taken.count == AgentLedger.maximumKept)
        #expect(ledger["a1"]?.taken.first?.incident == 2)
        #expect(change.trimmed.map(\.incident) == [1])
        ledger.undo(change)
        #expect(ledger["a1"] == before)

        var first = AgentLedger.Change(agent: "new", incident: 6000)
        _ = ledger.record(incident: 6000, agent: "new", at: now, kind: "verbal", call: nil, policy: policy, change: &first)
        ledger.undo(first)
        #expect(ledger["new"] == nil)
    }

    @Test func counters_matchAScriptedDay() {
        var ledger = AgentLedger()
        // Two days ago (beyond the day), a verbal call; yesterday evening, a threat; in the last
        // hour, one call with two incidents and another with one.
        take(&ledger, 1, call: "c1", at: -2 * 86_400)
        take(&ledger, 2, "threat", call: "c2", at: -20 * 3600)
        take(&ledger, 3, call: "c3", at: -1800)
        take(&ledger, 4, call: "c3", at: -1700)
        take(&ledger, 5, "nuisance", call: "c4", at: -60)
        let counters = ledger.counters(at: now)
        #expect(counters == [AgentCounters(agent: "a1", lastHour: 2, lastDay: 3, threats: 1, lastIncident: now - 60)])
        // As of yesterday evening, only the threat was in the day before.
        #expect(ledger.counters(at: now - 20 * 3600).first == AgentCounters(agent: "a1", lastHour: 1, lastDay: 1, threats: 1, lastIncident: now - 20 * 3600))
    }

    @Test func aThreat_raisesTheDebriefRuleOnce_withTheCountsAndThePolicysText() throws {
        var ledger = AgentLedger()
        let raised = ledger.record(incident: 9, agent: "a1", at: now, kind: "threat", call: "c1", policy: policy)
        let alert = try #require(raised.first)
        #expect(raised.count == 1)
        #expect(alert.rule == "threat-debrief" && alert.agent == "a1" && alert.incident == 9 && alert.call == "c1")
        #expect(alert.say == policy.welfare[0].say)
        #expect(alert.calls == 1 && alert.threshold == 1)
        #expect(alert.counters == AgentCounters(agent: "a1", lastHour: 1, lastDay: 1, threats: 1, lastIncident: now))
        // A second threat in the same call, still within the window: nothing new.
        #expect(take(&ledger, 10, "threat", call: "c1", at: 30).isEmpty)
    }

    @Test func threeAbusiveCallsInAnHour_raiseTheCheckInOnce_andAgainOnlyAfterTheCountFellBelow() {
        var ledger = AgentLedger()
        #expect(take(&ledger, 1, call: "c1", at: 0).isEmpty)
        // More incidents in the same call are still one call.
        #expect(take(&ledger, 2, call: "c1", at: 60).isEmpty)
        #expect(take(&ledger, 3, call: "c2", at: 600).isEmpty)
        #expect(take(&ledger, 4, call: "c3", at: 1200) == ["abusive-hour"])
        #expect(take(&ledger, 5, call: "c4", at: 1500).isEmpty)
        // An hour after c2 and c3 the count has fallen below three; three again raises it again.
        #expect(take(&ledger, 6, call: "c5", at: 5000).isEmpty)
        #expect(take(&ledger, 7, call: "c6", at: 5100).isEmpty)
        #expect(take(&ledger, 8, call: "c7", at: 5200) == ["abusive-hour"])
    }

    @Test func incidentsWithoutACall_countAsACallEach() {
        var ledger = AgentLedger()
        take(&ledger, 1, call: nil, at: 0)
        take(&ledger, 2, call: nil, at: 10)
        #expect(take(&ledger, 3, call: nil, at: 20) == ["abusive-hour"])
        #expect(ledger.counters(at: now + 20).first?.lastHour == 3)
    }

    @Test func systemAndMissingAgents_areNotFollowed() {
        var state = try! Fixture.state()
        _ = try! state.recordAbuse(AbuseReport(call: nil, caller: Fixture.caller, kind: "threat", agent: nil, note: nil, at: nil), now: now)
        _ = try! state.recordAbuse(AbuseReport(call: nil, caller: Fixture.caller, kind: "threat", agent: "system", note: nil, at: nil), now: now)
        _ = try! state.recordAbuse(AbuseReport(call: nil, caller: Fixture.caller, kind: "threat", agent: "", note: nil, at: nil), now: now)
        #expect(state.agents.agents.isEmpty)
    }

    @Test func abuseOutcome_carriesTheWelfareAlert_andAfterThreatWordsForAnImmediateKind() throws {
        var state = try Fixture.state()
        let step = try state.recordAbuse(Fixture.abuse("physical_threat"), now: now)
        #expect(step.outcome.welfare.map(\.rule) == ["threat-debrief"])
        #expect(step.outcome.welfare.first?.agent == "agent-1")
        #expect(step.outcome.say == policy.words(for: "physical_threat").afterThreat)
        let verbal = try state.recordAbuse(Fixture.abuse("verbal"), now: now)
        #expect(verbal.outcome.say == nil)
    }

    @Test func rollBack_takesTheIncidentAndTheRulesMarkBack() throws {
        var state = try Fixture.state()
        let failed = try state.recordAbuse(Fixture.abuse("threat"), now: now)
        #expect(failed.outcome.welfare.count == 1)
        state.rollBack(from: failed.firstID)
        #expect(state.agents.agents.isEmpty)
        // The record never had it: the next threat is the first, and raises the rule.
        let next = try state.recordAbuse(Fixture.abuse("threat"), now: now)
        #expect(next.outcome.welfare.map(\.rule) == ["threat-debrief"])
    }

    @Test func idleAgents_areDroppedBeyondTheHorizon_andTheCapacityHolds() {
        var ledger = AgentLedger(capacity: 10)
        for index in 0..<25 {
            take(&ledger, Int64(index + 1), agent: "agent-\(index)", call: "c\(index)", at: Double(index))
        }
        #expect(ledger.agents.count <= 10)
        #expect(ledger.agents["agent-24"] != nil)
        #expect(ledger.agents["agent-0"] == nil)
        ledger.prune(now: now + 24 + policy.welfareHorizon + 1, policy: policy)
        #expect(ledger.agents.isEmpty)
    }

    @Test func oneAgentKeepsAtMostAThousandIncidents() {
        var ledger = AgentLedger()
        for index in 0..<1500 {
            take(&ledger, Int64(index + 1), call: "c\(index)", at: Double(index))
        }
        #expect(ledger.agents["a1"]?.taken.count == AgentLedger.maximumKept)
        #expect(ledger.counters(at: now + 1500).first?.lastHour == 1000)
    }

    @Test func purgedIncidents_leaveTheCounters() {
        var ledger = AgentLedger()
        take(&ledger, 1, call: "c1", at: 0)
        take(&ledger, 2, agent: "a2", call: "c2", at: 1)
        ledger.forget(incidents: [1])
        #expect(ledger.agents["a1"] == nil)
        #expect(ledger.agents["a2"]?.taken.map(\.incident) == [2])
    }
}
