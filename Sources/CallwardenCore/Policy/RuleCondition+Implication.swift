/// Whether one condition holding means another holds too, read from the clauses alone: what the
/// floor check (does `unless` cover the floor's scope?) and `unreachableRules` (does an earlier
/// rule catch every call a later one would?) need.
///
/// The answer is "yes" only when it is sure: clauses it cannot compare count as "no". The floor
/// check then refuses a policy it cannot prove safe, and `unreachableRules` misses a rule rather
/// than name one that can fire.
extension Policy {
    func implies(_ premise: RuleCondition?, _ conclusion: RuleCondition?) -> Bool {
        guard let conclusion else { return true }
        let premise = premise ?? RuleCondition()
        if let anonymous = conclusion.anonymous {
            // A caller matching a number pattern has a number: not anonymous.
            guard premise.anonymous == anonymous || (!anonymous && premise.callers != nil) else { return false }
        }
        if let dialed = conclusion.dialed {
            guard let given = premise.dialed, NumberPattern.covers(dialed, all: given) else { return false }
        }
        if let callers = conclusion.callers {
            guard let given = premise.callers, NumberPattern.covers(callers, all: given) else { return false }
        }
        if let levels = conclusion.attestation, levels.count < CallerIDTrust.allCases.count {
            guard let given = premise.attestation, given.isSubset(of: levels) else { return false }
        }
        if let score = conclusion.score, score.atLeast > 0 {
            // Scores never go below zero, so `at_least: 0` always holds; otherwise a higher
            // threshold on fewer kinds means this one.
            guard let given = premise.score, given.atLeast >= score.atLeast, scoreKinds(given.kinds, within: score.kinds) else { return false }
        }
        if let incidents = conclusion.incidents {
            guard let given = premise.incidents, given.atLeast >= incidents.atLeast,
                  incidents.within.map({ window in given.within.map { $0 <= window } ?? false }) ?? true,
                  incidentKinds(given.kinds, within: incidents.kinds)
            else { return false }
        }
        return true
    }

    /// A score over `inner` never exceeds one over `outer`.
    private func scoreKinds(_ inner: Set<String>?, within outer: Set<String>?) -> Bool {
        guard let outer else { return true }
        // A score over all kinds counts only the policy's kinds.
        return (inner ?? Set(categories.keys)).isSubset(of: outer)
    }

    /// Incidents of `inner` are all incidents of `outer`. A clause over all kinds also counts
    /// incidents of kinds a reload removed, so only `outer` being all kinds takes it in.
    private func incidentKinds(_ inner: Set<String>?, within outer: Set<String>?) -> Bool {
        guard let outer else { return true }
        guard let inner else { return false }
        return inner.isSubset(of: outer)
    }
}
