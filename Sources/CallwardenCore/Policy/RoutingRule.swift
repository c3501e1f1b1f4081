/// Where a call goes: the three strategies of the guidance.
public enum Route: String, Sendable, CaseIterable {
    /// The normal queue: everyone not harmed by their own history.
    case normal
    /// A supervisor or specialist team, for callers who abused staff.
    case supervisor
    /// The extra-long queue for nuisance and prank callers.
    case nuisance
}

/// One routing rule: if `condition` holds (and `unless` does not), the call gets this rule's
/// route, queue and priority.
public struct RoutingRule: Sendable, Equatable {
    public var name: String
    /// Nil for the final, default rule.
    public var condition: RuleCondition?
    /// The rule does not hold when this holds (a carve-out, such as a crisis line's numbers).
    public var unless: RuleCondition?
    public var route: Route
    /// The queue's name in the contact centre's system.
    public var queue: String
    /// Higher is answered sooner.
    public var priority: Int
    /// Human text returned with the decision, for the agent and the record.
    public var reason: String
    /// Watched, not acted on: when it holds it is counted and shown, and the next rule decides.
    public var shadow: Bool
    /// Seconds a restriction by this rule lasts after the caller's last counting incident (or the
    /// last renewal) before a person must renew it; nil: no review. Only on supervisor and
    /// nuisance rules.
    public var review: Double?
    /// The line of the rule's `- name:` in the policy file (0 for a rule built in code).
    public var line: Int

    public init(
        name: String, condition: RuleCondition?, route: Route, queue: String, priority: Int, reason: String,
        unless: RuleCondition? = nil, shadow: Bool = false, review: Double? = nil, line: Int = 0
    ) {
        self.name = name
        self.condition = condition
        self.route = route
        self.queue = queue
        self.priority = priority
        self.reason = reason
        self.unless = unless
        self.shadow = shadow
        self.review = review
        self.line = line
    }
}

/// All clauses must hold (an empty condition never appears: the parser turns it into an error).
public struct RuleCondition: Sendable, Equatable {
    /// The decayed score, optionally from some kinds only, is at least this.
    public var score: ScoreClause?
    /// At least N unforgiven incidents of these kinds within a window.
    public var incidents: IncidentsClause?
    /// Whether the caller is (true) or is not (false) in the anonymous class.
    public var anonymous: Bool?
    /// The dialed number is one of these (a trailing `*` matches a prefix).
    public var dialed: [String]?
    /// The current call's caller-id trust is one of these.
    public var attestation: Set<CallerIDTrust>?
    /// The caller is one of these E.164 numbers (a trailing `*` matches a prefix).
    public var callers: [String]?

    public init(
        score: ScoreClause? = nil, incidents: IncidentsClause? = nil, anonymous: Bool? = nil, dialed: [String]? = nil,
        attestation: Set<CallerIDTrust>? = nil, callers: [String]? = nil
    ) {
        self.score = score
        self.incidents = incidents
        self.anonymous = anonymous
        self.dialed = dialed
        self.attestation = attestation
        self.callers = callers
    }
}

public struct ScoreClause: Sendable, Equatable {
    public var atLeast: Double
    /// Nil: all kinds.
    public var kinds: Set<String>?

    public init(atLeast: Double, kinds: Set<String>?) {
        self.atLeast = atLeast
        self.kinds = kinds
    }
}

public struct IncidentsClause: Sendable, Equatable {
    public var atLeast: Int
    /// Seconds before now; nil: ever.
    public var within: Double?
    /// Nil: all kinds.
    public var kinds: Set<String>?

    public init(atLeast: Int, within: Double?, kinds: Set<String>?) {
        self.atLeast = atLeast
        self.within = within
        self.kinds = kinds
    }
}
