import CallwardenCore
import Testing

@Suite("Unreachable rules")
struct UnreachableRulesTests {
    static let policy = try! PolicyParser.parse("""
        numbering: {country_code: "44"}
        categories:
          verbal: {weight: 1, half_life: 90d}
          threat: {weight: 2, half_life: 180d}
        rules:
          - name: abusive
            when:
              score: {at_least: 0.5, kinds: [verbal, threat]}
            route: supervisor
            queue: supervisor
          - name: very-abusive
            when:
              score: {at_least: 2, kinds: [verbal]}
              anonymous: false
            route: supervisor
            queue: senior
          - name: threats
            when:
              incidents: {at_least: 2, kinds: [threat]}
            route: supervisor
            queue: senior
          - name: crisis-line
            when:
              dialed: ["+44808*"]
            unless: {anonymous: true}
            route: normal
            queue: crisis
          - name: crisis-line-london
            when:
              dialed: ["+448082*"]
            route: normal
            queue: crisis
          - name: helpline
            when:
              dialed: ["+44800*"]
            route: normal
            queue: help
          - name: helpline-again
            when:
              dialed: ["+448001*"]
              attestation: [A]
            route: normal
            queue: help
          - {name: default, route: normal, queue: support}
        """)

    @Test("A rule an earlier rule always catches is found; one it does not is not")
    func found() {
        #expect(Self.policy.unreachableRules() == [
            UnreachableRule(rule: "very-abusive", line: 11, coveredBy: "abusive"),
            UnreachableRule(rule: "helpline-again", line: 38, coveredBy: "helpline"),
        ])
    }

    @Test("Rules carry the line of their name")
    func lines() {
        #expect(Self.policy.rules.map(\.line) == [6, 11, 17, 22, 28, 33, 38, 44])
    }
}
