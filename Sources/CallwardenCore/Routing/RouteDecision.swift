/// What callwarden answers for a new call, and why.
public struct RouteDecision: Sendable, Equatable {
    public var route: Route
    public var queue: String
    public var priority: Int
    /// The name of the rule that decided.
    public var rule: String
    public var reason: String
    public var standing: Standing
    /// Every rule tried, in order, up to and including the one that decided.
    public var trail: [RuleTrailStep]
    /// Shadow rules that held for this call, in order: counted and shown, never acted on.
    public var shadowMatches: [String]
    /// The exemption that kept a rule from deciding, if one did.
    public var exemption: Int64?

    public init(
        route: Route, queue: String, priority: Int, rule: String, reason: String, standing: Standing,
        trail: [RuleTrailStep], shadowMatches: [String] = [], exemption: Int64? = nil
    ) {
        self.route = route
        self.queue = queue
        self.priority = priority
        self.rule = rule
        self.reason = reason
        self.standing = standing
        self.trail = trail
        self.shadowMatches = shadowMatches
        self.exemption = exemption
    }
}

/// One rule tried while deciding, and what its clauses found.
public struct RuleTrailStep: Sendable, Equatable {
    public var rule: String
    /// This rule decided the route.
    public var matched: Bool
    /// Human text: what each clause found, e.g. `score 1.73 >= 0.5 (verbal, threat)`.
    public var detail: String
    /// What became of the rule: not holding, deciding, held as a shadow, or held but skipped.
    public var outcome: TrailOutcome

    public init(rule: String, matched: Bool, detail: String, outcome: TrailOutcome? = nil) {
        self.rule = rule
        self.matched = matched
        self.detail = detail
        self.outcome = outcome ?? (matched ? .decided : .notMatched)
    }
}

/// What became of one rule in a decision.
public enum TrailOutcome: Sendable, Equatable {
    /// Its condition did not hold (or its `unless` did).
    case notMatched
    /// It decided the route.
    case decided
    /// A shadow rule that held: counted, and the next rule went on.
    case shadow
    /// It held, but could not decide: why (a floor, an exemption, a review past due).
    case skipped(String)
}
