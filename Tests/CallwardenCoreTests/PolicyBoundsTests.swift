import CallwardenCore
import Testing

/// Every number in a policy has a documented range; a file outside it fails with file:line.
@Suite("Policy bounds")
struct PolicyBoundsTests {
    /// A whole policy with `extra` appended, every value of which the cases below replace.
    static func policy(weight: String = "1", halfLife: String = "90d", extra: String = "") -> String {
        """
        numbering: {country_code: "44"}
        categories:
          verbal: {weight: \(weight), half_life: \(halfLife)}
        rules:
          - name: abusive
            when:
              score: {at_least: 0.5}
              incidents: {at_least: 1, within: 365d}
            route: supervisor
            queue: s
            priority: 5
          - {name: default, route: normal, queue: q}
        \(extra)
        """
    }

    static func errors(_ text: String) -> [PolicyError] {
        do {
            _ = try PolicyParser.parse(text, file: "p.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    @Test("Values past their bounds are refused with file, line, key and the range", arguments: [
        ("retention:\n  forgiven: 300000y", 14, "retention.forgiven", "must be from 1s to 100y, not 300000y"),
        ("retention:\n  faded: 101y", 14, "retention.faded", "must be from 1s to 100y, not 101y"),
        ("retention:\n  faded: 30d\n  faded_below: 1e308", 15, "retention.faded_below", "must be from 0 to 1000, not 1e308"),
        ("alert:\n  command: [/bin/true]\n  timeout: 1e21", 15, "alert.timeout", "must be from 1s to 10m, not 1e21"),
        ("alert:\n  command: [/bin/true]\n  timeout: 0s", 15, "alert.timeout", "must be from 1s to 10m, not 0s"),
        ("alert:\n  command: [/bin/true]\n  timeout: 11m", 15, "alert.timeout", "must be from 1s to 10m, not 11m"),
        ("ladder:\n  vent: 2d", 14, "ladder.vent", "must be from 0s to 1d, not 2d"),
        ("ladder:\n  supervisor_timeout: -1s", 14, "ladder.supervisor_timeout", "must be from 0s to 1d, not -1s"),
        ("ladder:\n  max_call_length: 8d", 14, "ladder.max_call_length", "must be from 1m to 1w, not 8d"),
        ("limits:\n  clock_skew: 2d", 14, "limits.clock_skew", "must be from 0s to 1d, not 2d"),
        ("standing:\n  resolved_call_credit: 1001", 14, "standing.resolved_call_credit", "must be from 0 to 1000, not 1001"),
        ("standing:\n  credit_half_life: 0s", 14, "standing.credit_half_life", "must be from 1s to 100y, not 0s"),
        ("detection:\n  - {name: d, calls: 10001, within: 10m, shorter_than: 15s, kind: verbal}", 14, "detection[0].calls", "must be from 2 to 10000, not 10001"),
        ("detection:\n  - {name: d, calls: 5, within: 31d, shorter_than: 15s, kind: verbal}", 14, "detection[0].within", "must be from 1s to 30d, not 31d"),
        ("detection:\n  - {name: d, calls: 5, within: 10m, shorter_than: 2d, kind: verbal}", 14, "detection[0].shorter_than", "must be from 1s to 1d, not 2d"),
    ])
    func outOfBounds(extra: String, line: Int, key: String, message: String) throws {
        let errors = Self.errors(Self.policy(extra: extra))
        let error = try #require(errors.first, "accepted: \(extra)")
        #expect(errors.count == 1, "\(errors)")
        #expect(error.description == "p.yaml:\(line): \(key): \(message)")
    }

    @Test("Weights and half-lives past their bounds, or not decimal numbers, are refused", arguments: [
        ("1e308", "90d"), ("1001", "90d"), ("-1", "90d"), ("nan", "90d"), ("inf", "90d"), ("0x10", "90d"), ("1", "0s"),
        ("1", "101y"), ("1", "1e400"), ("1", "nans"), ("1", "0x10d"), ("1", "infd"), ("1", "1e300y"),
    ])
    func categoryBounds(weight: String, halfLife: String) {
        let keys = Self.errors(Self.policy(weight: weight, halfLife: halfLife)).map(\.key)
        #expect(keys.count == 1 && keys.allSatisfy { $0.hasPrefix("categories.verbal.") }, "\(keys)")
    }

    @Test("Rule thresholds and priorities past their bounds are refused", arguments: [
        ("score: {at_least: 0.5}", "score: {at_least: 1000001}", "rules[0].when.score.at_least"),
        ("incidents: {at_least: 1, within: 365d}", "incidents: {at_least: 0, within: 365d}", "rules[0].when.incidents.at_least"),
        ("incidents: {at_least: 1, within: 365d}", "incidents: {at_least: 1, within: 101y}", "rules[0].when.incidents.within"),
        ("priority: 5", "priority: 1000001", "rules[0].priority"),
        ("priority: 5", "priority: 99999999999999999999", "rules[0].priority"),
    ])
    func ruleBounds(original: String, replacement: String, key: String) {
        let text = Self.policy().replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.policy())
        #expect(Self.errors(text).map(\.key) == [key])
    }

    @Test("Every bound's own ends are accepted")
    func boundsInclusive() throws {
        let extra = """
            standing: {resolved_call_credit: 1000, credit_half_life: 100y}
            ladder: {vent: 1d, supervisor_timeout: 1d, max_call_length: 1w}
            alert: {command: [/bin/true], timeout: 10m}
            detection:
              - {name: d, calls: 10000, within: 30d, shorter_than: 1d, kind: verbal}
            retention: {forgiven: 100y, faded: 100y, faded_below: 1000}
            limits: {clock_skew: 1d}
            """
        let policy = try PolicyParser.parse(Self.policy(weight: "1000", halfLife: "100y", extra: extra))
        #expect(policy.categories["verbal"]?.weight == 1000)
        #expect(policy.retention.forgiven == Double(3_153_600_000))
        #expect(policy.alert?.timeout == 600)
        #expect(policy.limits.clockSkew == 86_400)
        let low = try PolicyParser.parse(Self.policy(weight: "0", halfLife: "1s", extra: "ladder: {vent: 0s, max_call_length: 1m}\nalert: {command: [/bin/true], timeout: 1s}\nlimits: {clock_skew: 0s}"))
        #expect(low.ladder.maxCallLength == 60)
        #expect(low.limits.clockSkew == 0)
    }

    @Test("limits.clock_skew defaults to five minutes")
    func clockSkewDefault() throws {
        #expect(try PolicyParser.parse(Self.policy()).limits.clockSkew == 300)
    }

    @Test("The highest score a bounded policy allows is finite")
    func scoresStayFinite() throws {
        let policy = try PolicyParser.parse(Self.policy(weight: "1000", halfLife: "100y"))
        let history = CallerHistory(incidents: (1...100_000).map { IncidentSummary(id: Int64($0), kind: "verbal", at: 0) })
        #expect(policy.standing(of: history, at: 0).score == 100_000_000)
    }
}

/// The keys of shadow rules, floors, reviews and caller-id trust have ranges like every other.
@Suite("Policy bounds: fairness keys")
struct FairnessBoundsTests {
    @Test("Caller-id weights, caller patterns and attestation levels past their bounds are refused", arguments: [
        ("caller_id:\n  weights: {C: 1.5}", 14, "caller_id.weights.C", "must be from 0 to 1, not 1.5"),
        ("caller_id:\n  weights: {C: -0.1}", 14, "caller_id.weights.C", "must be from 0 to 1, not -0.1"),
        ("caller_id:\n  weights: {D: 0.5}", 14, "caller_id.weights.D", "unknown key 'D'; valid keys here: A, B, C, failed, none"),
        ("caller_id:\n  weights: {none: nan}", 14, "caller_id.weights.none", "expected a number from 0 to 1"),
    ])
    func callerID(extra: String, line: Int, key: String, message: String) throws {
        let errors = PolicyBoundsTests.errors(PolicyBoundsTests.policy(extra: extra))
        #expect(errors.map(\.description) == ["p.yaml:\(line): \(key): \(message)"])
    }

    @Test("Rule clauses for callers and attestation are checked", arguments: [
        ("callers: [\"+44abc\"]", "rules[0].when.callers", "'+44abc' is not a number pattern: + and 1 to 20 digits, optionally ending in * (\"+44800*\")"),
        ("callers: [\"+123456789012345678901\"]", "rules[0].when.callers", "'+123456789012345678901' is not a number pattern: + and 1 to 20 digits, optionally ending in * (\"+44800*\")"),
        ("callers: []", "rules[0].when.callers", "expected at least one number, such as \"+442071234567\" or \"+44800*\""),
        ("attestation: [D]", "rules[0].when.attestation", "unknown attestation 'D'; valid: A, B, C, failed, none"),
        ("attestation: []", "rules[0].when.attestation", "expected at least one of A, B, C, failed, none"),
    ])
    func clauses(clause: String, key: String, message: String) throws {
        let text = PolicyBoundsTests.policy().replacingOccurrences(of: "score: {at_least: 0.5}", with: clause)
        let errors = PolicyBoundsTests.errors(text)
        #expect(errors.map(\.key) == [key], "\(errors)")
        #expect(errors.first?.message == message)
        #expect(errors.first?.line == 7)
    }

    @Test("The new keys' own ends are accepted")
    func inclusive() throws {
        let extra = """
            caller_id:
              weights: {A: 1, B: 1, C: 0, failed: 0, none: 1}
            forgiveness: {grace: 1y, grace_below: 1000}
            """
        let policy = try PolicyParser.parse(PolicyBoundsTests.policy(extra: extra).replacingOccurrences(of: "    route: supervisor", with: "    review: 10y\n    route: supervisor"))
        #expect(policy.callerID.weight(.c) == 0 && policy.callerID.weight(.a) == 1)
        #expect(policy.forgiveness.grace == 31_536_000 && policy.forgiveness.graceBelow == 1000)
        #expect(policy.rules[0].review == 315_360_000)
        let low = try PolicyParser.parse(PolicyBoundsTests.policy(extra: "forgiveness: {grace: 0s, grace_below: 0}").replacingOccurrences(of: "    route: supervisor", with: "    review: 1d\n    route: supervisor"))
        #expect(low.forgiveness.grace == 0 && low.rules[0].review == 86_400)
    }
}
