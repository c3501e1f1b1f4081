import CallwardenCore
import Foundation
import Testing

@Suite("Standing and routing with the shipped policy")
struct RoutingTests {
    static let policy: Policy = {
        let path = PolicyParserTests.shippedPolicyPath
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        return try! PolicyParser.parse(text, file: path)
    }()

    static let day = 86_400.0
    static let now = 1_800_000_000.0
    static let caller = CallContext(caller: .known("+447700900123"))

    static func history(_ incidents: [(String, Double)], forgiven: Set<Int> = [], resolved: [Double] = []) -> CallerHistory {
        CallerHistory(
            incidents: incidents.enumerated().map { index, item in
                IncidentSummary(id: Int64(index + 1), kind: item.0, at: now - item.1 * day, forgiven: forgiven.contains(index))
            },
            resolvedCalls: resolved.map { now - $0 * day })
    }

    @Test("Scenarios: history -> route, queue, rule", arguments: [
        ([], "normal", "support", "default"),
        ([("nuisance", 0.0)], "nuisance", "nuisance", "nuisance"),
        ([("verbal", 0.0)], "supervisor", "supervisor", "abusive"),
        ([("threat", 0.0)], "supervisor", "supervisor", "abusive"),
        ([("time_wasting", 0.0)], "supervisor", "supervisor", "abusive"),
        ([("physical_threat", 300.0)], "supervisor", "supervisor", "physical-threat"),
        // A year and a bit later the physical threat no longer routes by itself (rule 3 counts
        // verbal, threat and time wasting only, as the guidance's defaults say)...
        ([("physical_threat", 400.0)], "normal", "support", "default"),
        // ...and a verbal incident two half-lives old has faded below the threshold.
        ([("verbal", 180.0)], "normal", "support", "default"),
        // Nuisance fades faster (30 days).
        ([("nuisance", 40.0)], "normal", "support", "default"),
        // The physical threat rule comes first even for a nuisance caller.
        ([("nuisance", 0.0), ("physical_threat", 1.0)], "supervisor", "supervisor", "physical-threat"),
    ] as [([(String, Double)], String, String, String)])
    func scenarios(incidents: [(String, Double)], route: String, queue: String, rule: String) {
        let decision = Self.policy.route(Self.caller, history: Self.history(incidents), at: Self.now)
        #expect(decision.route.rawValue == route)
        #expect(decision.queue == queue)
        #expect(decision.rule == rule)
    }

    @Test("Standing halves per half-life")
    func decay() {
        let fresh = Self.policy.standing(of: Self.history([("verbal", 0)]), at: Self.now)
        let oneHalfLife = Self.policy.standing(of: Self.history([("verbal", 90)]), at: Self.now)
        #expect(fresh.score == 1)
        #expect(abs(oneHalfLife.score - 0.5) < 1e-9)
        #expect(oneHalfLife.incidents == 1)
    }

    @Test("Forgiven incidents count for nothing")
    func forgiven() {
        let history = Self.history([("verbal", 0), ("nuisance", 0)], forgiven: [0, 1])
        #expect(Self.policy.standing(of: history, at: Self.now) == .clean)
        #expect(Self.policy.route(Self.caller, history: history, at: Self.now).route == .normal)
    }

    @Test("A calm, resolved call counts in the caller's favour")
    func resolvedCredit() {
        let without = Self.policy.standing(of: Self.history([("verbal", 0)]), at: Self.now)
        let with = Self.policy.standing(of: Self.history([("verbal", 0)], resolved: [0, 0]), at: Self.now)
        #expect(with.score == without.score - 0.5)
        #expect(Self.policy.standing(of: Self.history([("verbal", 0)], resolved: Array(repeating: 0, count: 10)), at: Self.now).score == 0)
    }

    @Test("The anonymous class never has standing, whatever history is passed")
    func anonymous() {
        let decision = Self.policy.route(CallContext(caller: .anonymous), history: Self.history([("verbal", 0)]), at: Self.now)
        #expect(decision.route == .normal)
        #expect(decision.standing == .clean)
    }

    @Test("An event dated in the future counts as new, never more")
    func futureEvents() {
        let history = CallerHistory(incidents: [IncidentSummary(id: 1, kind: "verbal", at: Self.now + 3600)])
        #expect(Self.policy.standing(of: history, at: Self.now).score == 1)
    }

    @Test("explain fills the trail; routing does not")
    func trail() {
        let history = Self.history([("verbal", 0)])
        let explained = Self.policy.route(Self.caller, history: history, at: Self.now, explain: true)
        #expect(explained.trail.map(\.rule) == ["physical-threat", "nuisance", "abusive"])
        #expect(explained.trail.map(\.matched) == [false, false, true])
        #expect(explained.trail[2].detail.contains("score 1 >= 0.5"))
        let routed = Self.policy.route(Self.caller, history: history, at: Self.now)
        #expect(routed.trail.allSatisfy { $0.detail.isEmpty })
    }

    @Test("Conditions on the dialed number and the anonymous class")
    func dialedAndAnonymous() throws {
        let policy = try PolicyParser.parse("""
            numbering: {country_code: "44"}
            categories:
              verbal: {weight: 1, half_life: 90d}
            rules:
              - {name: withheld, when: {anonymous: true}, route: normal, queue: withheld}
              - {name: vip-line, when: {dialed: ["+44800*"]}, route: supervisor, queue: vip, priority: 9}
              - {name: default, route: normal, queue: support}
            """)
        #expect(policy.route(CallContext(caller: .anonymous), history: .init(), at: 0).queue == "withheld")
        #expect(policy.route(CallContext(caller: .known("+1"), dialed: "+448001234567"), history: .init(), at: 0).queue == "vip")
        #expect(policy.route(CallContext(caller: .known("+1"), dialed: "+442071234567"), history: .init(), at: 0).queue == "support")
        #expect(policy.route(CallContext(caller: .known("+1")), history: .init(), at: 0).queue == "support")
    }
}
