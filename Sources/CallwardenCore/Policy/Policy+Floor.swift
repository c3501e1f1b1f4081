/// A rule that could route a call in a floor's scope to a route the floor forbids.
struct FloorBreach {
    /// The rule's position in `rules`.
    var index: Int
    var rule: RoutingRule
    var floor: FloorRule
    var message: String
}

extension Policy {
    /// Rules that could break the floor, for `--check-policy` and reloads to refuse.
    ///
    /// A rule can break a floor rule when it may decide (it is not a shadow), its route is one the
    /// floor never allows, its `when` can hold for some call in the floor's scope, and its
    /// `unless` does not hold for every such call. The floor is also enforced at each decision;
    /// this check tells the operator before a policy that relies on that is put in force.
    func floorBreaches() -> [FloorBreach] {
        guard !floor.isEmpty else { return [] }
        var breaches: [FloorBreach] = []
        for (index, rule) in rules.enumerated() where !rule.shadow && rule.route != .normal {
            for floorRule in floor where floorRule.never.contains(rule.route) {
                let uncovered = uncoveredScope(of: rule, in: floorRule)
                guard !uncovered.isEmpty else { continue }
                let message = "rule '\(rule.name)' could give the \(rule.route.rawValue) route to calls \(uncovered.joined(separator: " or ")), "
                    + "which floor '\(floorRule.name)' (line \(floorRule.line)) never allows; narrow its 'when' or add an "
                    + "'unless' covering those calls"
                breaches.append(FloorBreach(index: index, rule: rule, floor: floorRule, message: message))
                break
            }
        }
        return breaches
    }

    /// The parts of the floor's scope (in words) where the rule's `when` could hold and its
    /// `unless` might not.
    private func uncoveredScope(of rule: RoutingRule, in floorRule: FloorRule) -> [String] {
        var parts: [String] = []
        let condition = rule.condition ?? RuleCondition()
        if let dialed = floorRule.dialed {
            // Any caller may dial the floor's numbers; the rule's `when` narrows which numbers.
            let region = condition.dialed.map { NumberPattern.intersection($0, dialed) } ?? dialed
            var premise = condition
            premise.dialed = region
            if !region.isEmpty && !(rule.unless.map { implies(premise, $0) } ?? false) {
                parts.append("to \(Self.listed(region))")
            }
        }
        if let callers = floorRule.callers, condition.anonymous != true {
            let region = condition.callers.map { NumberPattern.intersection($0, callers) } ?? callers
            var premise = condition
            premise.callers = region
            if !region.isEmpty && !(rule.unless.map { implies(premise, $0) } ?? false) {
                parts.append("from \(Self.listed(region))")
            }
        }
        return parts
    }

    /// Patterns shown in a floor error: the first few, then how many more, so that a long
    /// register of numbers makes one readable line.
    static let patternsListed = 5

    private static func listed(_ patterns: [String]) -> String {
        guard patterns.count > patternsListed else { return patterns.joined(separator: ", ") }
        return patterns.prefix(patternsListed).joined(separator: ", ") + " and \(patterns.count - patternsListed) more"
    }
}
