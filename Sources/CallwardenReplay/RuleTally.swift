import CallwardenCore

/// Which of the candidate's rules decided, and how often its shadow rules held.
struct RuleTally: Sendable {
    private let rules: [RoutingRule]
    /// Decision points each rule decided, by its place in the policy.
    private var decided: [Int]
    private var shadowMatches: [String: Int] = [:]

    init(candidate: Policy) {
        rules = candidate.rules
        decided = Array(repeating: 0, count: candidate.rules.count)
    }

    mutating func add(_ decision: RouteDecision) {
        // The trail ends with the rule that decided (every rule before it was tried first);
        // when no rule decided it ends unmatched.
        let place = decision.trail.count - 1
        if place >= 0, place < decided.count, decision.trail[place].matched { decided[place] += 1 }
        for name in PolicyFeatures.shadowMatches(decision) { shadowMatches[name, default: 0] += 1 }
    }

    /// Adds what another tally counted (over other decision points, with the same policy).
    mutating func merge(_ other: RuleTally) {
        for (place, count) in other.decided.enumerated() where place < decided.count { decided[place] += count }
        shadowMatches.merge(other.shadowMatches, uniquingKeysWith: +)
    }

    /// Rules that decide (not shadow rules) and decided nothing.
    var neverDecided: [RuleName] {
        zip(rules, decided).filter { !PolicyFeatures.isShadow($0.0) && $0.1 == 0 }.map { RuleName($0.0) }
    }

    var shadowCounts: [ShadowCount] {
        rules.filter(PolicyFeatures.isShadow).map { ShadowCount(rule: RuleName($0), matches: shadowMatches[$0.name] ?? 0) }
    }
}

extension RuleName {
    init(_ rule: RoutingRule) {
        self.init(name: rule.name, line: PolicyFeatures.line(of: rule))
    }
}
