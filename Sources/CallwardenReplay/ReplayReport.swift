import CallwardenCore

/// What a candidate policy would have changed, decided beside the live policy over the recorded
/// history (`PolicyReplay`). Every figure is about decisions callwarden makes: where a call goes,
/// and what an agent's hang-up request is answered.
public struct ReplayReport: Sendable, Equatable {
    /// Calls dated before this were not decision points (nil: every recorded call was one).
    public var since: Double?
    /// The time of the "now" decision point.
    public var now: Double
    /// Entries of the record read, whatever their date.
    public var entries: Int
    /// Recorded calls dated at or after `since`, each routed under both policies.
    public var calls: Int
    /// Callers with a history, each routed under both policies as of `now`.
    public var callersNow: Int
    /// Routing at each recorded call.
    public var atCalls: DecisionChanges
    /// Routing of every caller with a history, now.
    public var atNow: DecisionChanges
    /// Answers to the recorded hang-up requests.
    public var hangups: HangupChanges
    /// Distinct callers with at least one decision that would change (calls and now together).
    public var callersChanged: Int
    /// The candidate's rules (not shadow rules) that decided no decision point.
    public var neverDecided: [RuleName]
    /// The candidate's shadow rules and at how many decision points each held.
    public var shadowMatches: [ShadowCount]
    /// The candidate's rules that an earlier rule always catches first.
    public var unreachable: [CoveredRule]
    /// Wall-clock seconds the replay took (filled in by whoever timed it).
    public var seconds: Double

    /// Whether anything a caller or an agent would meet differs: an exit status for a deploy gate.
    public var changed: Bool {
        atCalls.changed > 0 || atNow.changed > 0 || hangups.changed > 0
    }
}

/// How the decisions of one kind of decision point compare.
public struct DecisionChanges: Sendable, Equatable {
    /// Decision points of this kind.
    public var decisions: Int
    /// Decision points whose answer to the switch (route, queue or priority) would differ.
    public var changed: Int
    /// Distinct callers among them (the anonymous class counts as one).
    public var callers: Int
    /// Decision points with the same answer, decided by a rule of another name.
    public var otherRuleSameAnswer: Int
    /// The changes grouped by what was decided before and after, most frequent first.
    public var transitions: [Transition]

    public static let none = DecisionChanges(decisions: 0, changed: 0, callers: 0, otherRuleSameAnswer: 0, transitions: [])
}

/// What a decision was under the live policy, and what it would be under the candidate.
public struct Transition: Sendable, Equatable {
    public var from: RouteOutcome
    public var to: RouteOutcome
    /// Decision points that moved this way.
    public var decisions: Int
    /// Distinct callers that moved this way.
    public var callers: Int
    /// Up to five callers, in record order.
    public var examples: [String]

    public init(from: RouteOutcome, to: RouteOutcome, decisions: Int, callers: Int, examples: [String]) {
        self.from = from
        self.to = to
        self.decisions = decisions
        self.callers = callers
        self.examples = examples
    }
}

/// The answer a switch gets for a call, and the rule that gave it.
public struct RouteOutcome: Sendable, Hashable {
    public var route: Route
    public var queue: String
    public var priority: Int
    public var rule: String

    public init(route: Route, queue: String, priority: Int, rule: String) {
        self.route = route
        self.queue = queue
        self.priority = priority
        self.rule = rule
    }

    public init(_ decision: RouteDecision) {
        self.init(route: decision.route, queue: decision.queue, priority: decision.priority, rule: decision.rule)
    }

    /// The same answer for the switch (the deciding rule may differ).
    func sameAnswer(as other: RouteOutcome) -> Bool {
        route == other.route && queue == other.queue && priority == other.priority
    }
}

/// How the answers to recorded hang-up requests compare.
public struct HangupChanges: Sendable, Equatable {
    /// Hang-up requests of calls dated at or after `since`, each decided under both policies.
    public var requests: Int
    /// Requests whose answer (authorised, denied, supervisor_required) would differ.
    public var changed: Int
    public var transitions: [HangupTransition]

    public static let none = HangupChanges(requests: 0, changed: 0, transitions: [])
}

public struct HangupTransition: Sendable, Equatable {
    public var from: HangupDecision.Answer
    public var to: HangupDecision.Answer
    public var requests: Int
    /// Up to five requests, in record order.
    public var examples: [HangupExample]
}

/// One hang-up request whose answer would differ.
public struct HangupExample: Sendable, Equatable {
    public var call: String
    public var caller: String
    /// When the request was made.
    public var at: Double
    /// The ladder rules that gave each answer.
    public var fromRule: String
    public var toRule: String
}

/// A rule of the candidate, by its name and (when the policy says) the line it starts on.
public struct RuleName: Sendable, Equatable {
    public var name: String
    public var line: Int?
}

public struct ShadowCount: Sendable, Equatable {
    public var rule: RuleName
    /// Decision points at which the shadow rule's condition held.
    public var matches: Int
}

/// A rule that can never decide: an earlier rule holds whenever it would.
public struct CoveredRule: Sendable, Equatable {
    public var rule: RuleName
    /// The earlier rule that catches every call first.
    public var coveredBy: String
}
