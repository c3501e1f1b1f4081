import CallwardenCore

/// Counts how the decisions of one kind of decision point compare under the two policies.
struct DecisionTally {
    static let examplesPerTransition = 5

    private struct Key: Hashable {
        var from: RouteOutcome
        var to: RouteOutcome
    }

    private struct Moved {
        var decisions = 0
        var callers: Set<String> = []
        var examples: [String] = []
    }

    private(set) var decisions = 0
    private var otherRuleSameAnswer = 0
    private var moved: [Key: Moved] = [:]

    /// Notes one decision point: `old` under the live policy, `new` under the candidate.
    mutating func add(_ old: RouteDecision, _ new: RouteDecision, caller: String) {
        decisions += 1
        // The common case, first and cheaply: nothing differs.
        if old.rule == new.rule, old.route == new.route, old.queue == new.queue, old.priority == new.priority { return }
        let from = RouteOutcome(old)
        let to = RouteOutcome(new)
        if from.sameAnswer(as: to) {
            otherRuleSameAnswer += 1
            return
        }
        let key = Key(from: from, to: to)
        var entry = moved.removeValue(forKey: key) ?? Moved()
        entry.decisions += 1
        if entry.callers.insert(caller).inserted, entry.examples.count < Self.examplesPerTransition {
            entry.examples.append(caller)
        }
        moved[key] = entry
    }

    /// Every caller with a decision that would change.
    var changedCallers: Set<String> {
        moved.values.reduce(into: Set<String>()) { $0.formUnion($1.callers) }
    }

    var changes: DecisionChanges {
        let transitions = moved.map { key, entry in
            Transition(from: key.from, to: key.to, decisions: entry.decisions, callers: entry.callers.count, examples: entry.examples)
        }.sorted(by: Self.reportOrder)
        return DecisionChanges(
            decisions: decisions, changed: transitions.reduce(0) { $0 + $1.decisions }, callers: changedCallers.count,
            otherRuleSameAnswer: otherRuleSameAnswer, transitions: transitions)
    }

    /// Most decisions first; ties in a fixed order, so that two runs print the same report.
    private static func reportOrder(_ a: Transition, _ b: Transition) -> Bool {
        if a.decisions != b.decisions { return a.decisions > b.decisions }
        return (a.from.sortKey, a.to.sortKey) < (b.from.sortKey, b.to.sortKey)
    }
}

extension RouteOutcome {
    var sortKey: String { "\(route.rawValue)\u{1}\(rule)\u{1}\(queue)\u{1}\(priority)" }
}
