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
}

/// One rule tried while deciding, and what its clauses found.
public struct RuleTrailStep: Sendable, Equatable {
    public var rule: String
    public var matched: Bool
    /// Human text: what each clause found, e.g. `score 1.73 >= 0.5 (verbal, threat)`.
    public var detail: String
}
