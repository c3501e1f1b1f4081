import CallwardenCore

/// Counts how the decisions of one kind of decision point compare under the two policies.
struct DecisionTally: Sendable {
    static let examplesPerTransition = 5

    /// Which callers a transition keeps as examples.
    enum Examples: Sendable {
        /// The first met, in record order (decisions at recorded calls).
        case firstMet
        /// The smallest numbers (decisions "now", met in no order of their own: the same
        /// examples on every run, however the work was shared out).
        case smallest
    }

    private struct Key: Hashable, Sendable {
        var from: RouteOutcome
        var to: RouteOutcome
    }

    private struct Moved: Sendable {
        var decisions = 0
        var callers: Set<String> = []
        var examples: [String] = []
    }

    let examples: Examples
    private(set) var decisions = 0
    private var otherRuleSameAnswer = 0
    private var moved: [Key: Moved] = [:]

    init(examples: Examples) {
        self.examples = examples
    }

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
        if entry.callers.insert(caller).inserted { keep(example: caller, in: &entry.examples) }
        moved[key] = entry
    }

    private func keep(example caller: String, in examples: inout [String]) {
        switch self.examples {
        case .firstMet:
            if examples.count < Self.examplesPerTransition { examples.append(caller) }
        case .smallest:
            guard examples.count == Self.examplesPerTransition else {
                examples.append(caller)
                examples.sort()
                return
            }
            if let largest = examples.last, caller < largest {
                examples[examples.count - 1] = caller
                examples.sort()
            }
        }
    }

    /// Adds what another tally counted over other decision points of the same kind.
    mutating func merge(_ other: DecisionTally) {
        decisions += other.decisions
        otherRuleSameAnswer += other.otherRuleSameAnswer
        for (key, theirs) in other.moved {
            var entry = moved.removeValue(forKey: key) ?? Moved()
            entry.decisions += theirs.decisions
            entry.callers.formUnion(theirs.callers)
            for caller in theirs.examples where !entry.examples.contains(caller) { keep(example: caller, in: &entry.examples) }
            moved[key] = entry
        }
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
