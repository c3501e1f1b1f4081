import CallwardenCore
import Testing

@Suite("Caller-id trust")
struct CallerIDTrustTests {
    static let now = 1_800_000_000.0

    @Test("Attestation and verification map to one trust level", arguments: [
        ("A", nil, CallerIDTrust.a), ("B", nil, .b), ("C", nil, .c), (nil, nil, .none),
        ("A", "TN-Validation-Passed", .a), ("B", "TN-Validation-Passed", .b), (nil, "TN-Validation-Passed", .c),
        ("A", "TN-Validation-Failed", .failed), (nil, "TN-Validation-Failed", .failed),
        ("A", "No-TN-Validation", .none), (nil, "No-TN-Validation", .none),
        ("D", nil, .none), ("a", nil, .none), ("A", "passed", .none),
    ] as [(String?, String?, CallerIDTrust)])
    func mapping(attestation: String?, verification: String?, trust: CallerIDTrust) {
        #expect(CallerIDTrust.from(attestation: attestation, verification: verification) == trust)
    }

    static let weighted = """
        numbering: {country_code: "44"}
        categories:
          verbal: {weight: 1, half_life: 90d}
        caller_id:
          weights: {C: 0.25, failed: 0}
        rules:
          - name: abusive
            when:
              score: {at_least: 0.5}
            route: supervisor
            queue: supervisor
          - name: repeat
            when:
              incidents: {at_least: 1}
            route: supervisor
            queue: repeat
          - {name: default, route: normal, queue: support}
        """

    static func history(_ trust: CallerIDTrust) -> CallerHistory {
        CallerHistory(incidents: [IncidentSummary(id: 1, kind: "verbal", at: now, trust: trust)])
    }

    @Test("Incidents on weakly attested calls weigh as the policy says")
    func weighting() throws {
        let policy = try PolicyParser.parse(Self.weighted)
        #expect(policy.callerID.weight(.a) == 1 && policy.callerID.weight(.none) == 1)
        #expect(policy.standing(of: Self.history(.a), at: Self.now).score == 1)
        #expect(policy.standing(of: Self.history(.c), at: Self.now).score == 0.25)
        #expect(policy.standing(of: Self.history(.failed), at: Self.now).score == 0)
        let call = CallContext(caller: .known("+447700900123"))
        #expect(policy.route(call, history: Self.history(.a), at: Self.now).rule == "abusive")
        // 0.25 is below the threshold; the incident still counts as one incident...
        #expect(policy.route(call, history: Self.history(.c), at: Self.now).rule == "repeat")
        // ...unless its caller id is weighted 0: then it does not count towards routing at all.
        #expect(policy.route(call, history: Self.history(.failed), at: Self.now).rule == "default")
        #expect(policy.standing(of: Self.history(.failed), at: Self.now).incidents == 1)
    }

    @Test("Without caller_id every incident counts in full, whatever its attestation")
    func neutralByDefault() throws {
        let policy = try PolicyParser.parse(Self.weighted.replacingOccurrences(of: "caller_id:\n  weights: {C: 0.25, failed: 0}\n", with: ""))
        for trust in CallerIDTrust.allCases {
            #expect(policy.standing(of: Self.history(trust), at: Self.now).score == 1)
        }
    }

    @Test("A rule can route on the current call's attestation")
    func attestationCondition() throws {
        let policy = try PolicyParser.parse("""
            numbering: {country_code: "44"}
            categories:
              verbal: {weight: 1, half_life: 90d}
            rules:
              - name: unverified
                when:
                  attestation: [failed, none]
                route: normal
                queue: verify-first
              - {name: default, route: normal, queue: support}
            """)
        #expect(policy.rules[0].condition?.attestation == [.failed, .none])
        let caller = Caller.known("+447700900123")
        #expect(policy.route(CallContext(caller: caller, trust: .failed), history: .init(), at: 0).queue == "verify-first")
        #expect(policy.route(CallContext(caller: caller, trust: .none), history: .init(), at: 0).queue == "verify-first")
        #expect(policy.route(CallContext(caller: caller, trust: .a), history: .init(), at: 0).queue == "support")
        #expect(policy.route(CallContext(caller: caller, trust: .c), history: .init(), at: 0).queue == "support")
        let explained = policy.route(CallContext(caller: caller, trust: .failed), history: .init(), at: 0, explain: true)
        #expect(explained.trail[0].detail == "attestation failed in [failed, none]")
    }
}
