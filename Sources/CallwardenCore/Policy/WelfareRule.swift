/// When an agent needs looking after: an agent who takes `incidents` abusive calls (of `kinds`,
/// or of any kind) within `within` raises an `agent.welfare` event carrying `say`, once, until
/// the count falls below `incidents` and reaches it again (docs/policy.md, `welfare`).
///
/// Calls, not incidents, are counted: three insults in one call are one abusive call for the agent
/// who took them. An incident recorded without a call counts as a call of its own.
public struct WelfareRule: Sendable, Equatable {
    public var name: String
    /// The kinds that count; nil: every kind.
    public var kinds: Set<String>?
    /// How many abusive calls within the window raise the event (at least 1).
    public var incidents: Int
    /// Seconds: the window the calls must fall in.
    public var within: Double
    /// What the agent, and whoever looks after them, is told: a break, a check-in, a debrief.
    public var say: String
    /// The policy line the rule starts on (0 for a rule not read from a file).
    public var line: Int

    public init(name: String, kinds: Set<String>?, incidents: Int, within: Double, say: String, line: Int = 0) {
        self.name = name
        self.kinds = kinds
        self.incidents = incidents
        self.within = within
        self.say = say
        self.line = line
    }

    /// Whether an incident of `kind` counts toward this rule.
    public func counts(_ kind: String) -> Bool {
        kinds?.contains(kind) ?? true
    }
}

extension Policy {
    /// How far back the agents' counters must see: a day (for `agents`' last-day column), or the
    /// longest welfare window if longer.
    public var welfareHorizon: Double {
        max(86_400, welfare.map(\.within).max() ?? 0)
    }

    /// Whether an incident of `kind` is a threat against the agent (the `threats` column of
    /// `agents`): the kind's `threat` setting.
    public func isThreat(_ kind: String) -> Bool {
        categories[kind]?.threat ?? false
    }
}
