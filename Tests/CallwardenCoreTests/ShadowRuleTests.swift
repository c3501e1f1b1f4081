import CallwardenCore
import Testing

@Suite("Shadow rules")
struct ShadowRuleTests {
    static let day = 86_400.0
    static let now = 1_800_000_000.0
    static let call = CallContext(caller: .known("+447700900123"))

    static let acting = """
        numbering: {country_code: "44"}
        categories:
          verbal: {weight: 1, half_life: 90d}
          nuisance: {weight: 1, half_life: 30d}
        rules:
          - name: abusive
            when:
              score: {at_least: 0.5, kinds: [verbal]}
            route: supervisor
            queue: supervisor
          - {name: default, route: normal, queue: support}
        """

    /// The same policy with a shadow rule before the others that holds for any history at all.
    static let watched = acting.replacingOccurrences(of: "rules:\n", with: """
        rules:
          - name: try-stricter
            shadow: true
            when:
              incidents: {at_least: 1}
            route: nuisance
            queue: nuisance

        """)

    static let histories: [[(String, Double)]] = [
        [], [("verbal", 0)], [("nuisance", 0)], [("verbal", 200)], [("nuisance", 1), ("verbal", 1), ("verbal", 5)],
    ]

    static func history(_ incidents: [(String, Double)]) -> CallerHistory {
        CallerHistory(incidents: incidents.enumerated().map { IncidentSummary(id: Int64($0.offset + 1), kind: $0.element.0, at: now - $0.element.1 * day) })
    }

    @Test("A shadow rule is counted when it holds but never changes a route")
    func neverChangesRoute() throws {
        let acting = try PolicyParser.parse(Self.acting)
        let watched = try PolicyParser.parse(Self.watched)
        #expect(watched.rules[0].shadow && watched.rules[0].route == .nuisance)
        for incidents in Self.histories {
            let history = Self.history(incidents)
            let before = acting.route(Self.call, history: history, at: Self.now)
            let after = watched.route(Self.call, history: history, at: Self.now)
            #expect(after.route == before.route && after.queue == before.queue && after.rule == before.rule, "\(incidents)")
            #expect(after.shadowMatches == (incidents.isEmpty ? [] : ["try-stricter"]), "\(incidents)")
            #expect(before.shadowMatches.isEmpty)
        }
    }

    @Test("The trail shows a shadow rule as held, not as deciding")
    func trail() throws {
        let watched = try PolicyParser.parse(Self.watched)
        let decision = watched.route(Self.call, history: Self.history([("verbal", 0)]), at: Self.now, explain: true)
        #expect(decision.trail.map(\.outcome) == [.shadow, .decided])
        #expect(decision.trail.map(\.matched) == [false, true])
        #expect(decision.trail[0].detail == "1 incident(s) >= 1")
    }

    @Test("The last rule cannot be a shadow, nor route anything but normal")
    func defaultRuleDecides() throws {
        let shadowDefault = Self.acting.replacingOccurrences(of: "{name: default, route: normal, queue: support}", with: "{name: default, route: normal, queue: support, shadow: true}")
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(shadowDefault, file: "p.yaml") }
        #expect(errors.description == "p.yaml:11: rules[1].shadow: the last rule must decide: it cannot be a shadow")
        let restricting = Self.acting.replacingOccurrences(of: "{name: default, route: normal, queue: support}", with: "{name: default, route: nuisance, queue: support}")
        let refused = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(restricting, file: "p.yaml") }
        #expect(refused.description == "p.yaml:11: rules[1].route: the last rule serves everyone else and must route normal, not nuisance")
    }
}
