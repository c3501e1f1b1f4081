/// A rule that can never decide because an earlier rule always holds first.
public struct UnreachableRule: Sendable, Equatable {
    /// The rule that never decides.
    public var rule: String
    /// Its line in the policy file.
    public var line: Int
    /// The earlier rule that catches every call it would.
    public var coveredBy: String

    public init(rule: String, line: Int, coveredBy: String) {
        self.rule = rule
        self.line = line
        self.coveredBy = coveredBy
    }
}

extension Policy {
    /// Rules that an earlier rule always catches first, in order: whenever one would hold, an
    /// earlier rule holds and decides. Such a rule never fires (`policy test` reports it).
    ///
    /// Only an earlier rule that always decides when it holds can cover: not a shadow, without
    /// `unless` or `review`, and with a route no floor forbids. Exemptions are left aside: an
    /// exempt caller may still reach a covered rule. The comparison is of the clauses as written
    /// (see `implies`), so a rule covered in some subtler way is not reported.
    public func unreachableRules() -> [UnreachableRule] {
        var found: [UnreachableRule] = []
        for (index, rule) in rules.enumerated() {
            let coveredBy = rules[..<index].first { earlier in
                catchesAlways(earlier) && implies(rule.condition, earlier.condition)
            }
            if let coveredBy {
                found.append(UnreachableRule(rule: rule.name, line: rule.line, coveredBy: coveredBy.name))
            }
        }
        return found
    }

    /// Whenever its condition holds, this rule decides.
    private func catchesAlways(_ rule: RoutingRule) -> Bool {
        !rule.shadow && rule.unless == nil && rule.review == nil
            && (rule.route == .normal || !floor.contains { $0.never.contains(rule.route) })
    }
}
