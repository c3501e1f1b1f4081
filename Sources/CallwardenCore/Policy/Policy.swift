/// An operator's policy: everything callwarden decides is decided here, never in code.
///
/// Built only by `PolicyParser`, which checks every cross-reference (a rule that names a kind names
/// one of `categories`, the last rule is unconditional, ...), so the rest of callwarden can rely on
/// a `Policy` being whole.
public struct Policy: Sendable {
    /// The name operators give this policy (shown by `status` and in the journal).
    public var name: String
    public var numbering: NumberingPlan
    /// The kinds of abuse, by name. Anger is not among them: an angry caller is not abusive.
    public var categories: [String: AbuseCategory]
    public var standing: StandingRules
    /// Tried in order; the first whose condition holds decides. The last one has no condition.
    public var rules: [RoutingRule]
    public var ladder: LadderRules
    /// What runs besides the journal entry when an incident of an alerting kind is recorded.
    public var alert: AlertAction?
    public var detection: [DetectionRule]
    public var retention: RetentionRules
    public var limits: PolicyLimits
    /// How much incidents weigh by the caller-id trust of their calls (default: all in full).
    public var callerID: CallerIDRules
    /// The grace a forgiveness carries (default: none).
    public var forgiveness: ForgivenessRules
    /// Routes that calls in some scopes may never get, whatever the rules (default: none).
    public var floor: [FloorRule]
    /// When an agent needs looking after (default: never).
    public var welfare: [WelfareRule]
    /// The texts an agent is given (default: the guidance's); a kind may have its own.
    public var words: AgentWords

    public init(
        name: String, numbering: NumberingPlan, categories: [String: AbuseCategory], standing: StandingRules,
        rules: [RoutingRule], ladder: LadderRules, alert: AlertAction?, detection: [DetectionRule],
        retention: RetentionRules, limits: PolicyLimits = PolicyLimits(),
        callerID: CallerIDRules = CallerIDRules(), forgiveness: ForgivenessRules = ForgivenessRules(), floor: [FloorRule] = [],
        welfare: [WelfareRule] = [], words: AgentWords = .defaults
    ) {
        self.name = name
        self.numbering = numbering
        self.categories = categories
        self.standing = standing
        self.rules = rules
        self.ladder = ladder
        self.alert = alert
        self.detection = detection
        self.retention = retention
        self.limits = limits
        self.callerID = callerID
        self.forgiveness = forgiveness
        self.floor = floor
        self.welfare = welfare
        self.words = words
    }

    /// Category names in a stable order, for messages that list what would be valid.
    public var kindNames: [String] { categories.keys.sorted() }
}

/// One kind of abuse, with how much it weighs and what it triggers at once.
public struct AbuseCategory: Sendable, Equatable {
    public var name: String
    /// How much one incident adds to a caller's score when it is new.
    public var weight: Double
    /// Seconds after which an incident counts half as much: people change.
    public var halfLife: Double
    /// Alert someone in authority at once (journal at alert priority and the policy's alert action).
    public var alert: Bool
    /// Authorise hang-up at once, without the ladder (a physical threat).
    public var skipsLadder: Bool
    /// This kind's own, shorter ladder (nuisance and time wasting, for instance).
    public var ladder: LadderOverride
    /// A threat against the agent: counted as one in `agents` (default: a kind that alerts or
    /// skips the ladder).
    public var threat: Bool
    /// This kind's own words for the agent, over the policy's.
    public var words: WordsOverride

    public init(
        name: String, weight: Double, halfLife: Double, alert: Bool = false, skipsLadder: Bool = false, ladder: LadderOverride = .init(),
        threat: Bool? = nil, words: WordsOverride = .init()
    ) {
        self.name = name
        self.weight = weight
        self.halfLife = halfLife
        self.alert = alert
        self.skipsLadder = skipsLadder
        self.ladder = ladder
        self.threat = threat ?? (alert || skipsLadder)
        self.words = words
    }
}

/// How standing is computed beyond incidents' own weights.
public struct StandingRules: Sendable, Equatable {
    /// Subtracted from the score for each call that ended `resolved` after an incident.
    public var resolvedCallCredit: Double
    /// Seconds after which such a credit counts half as much.
    public var creditHalfLife: Double

    public init(resolvedCallCredit: Double, creditHalfLife: Double) {
        self.resolvedCallCredit = resolvedCallCredit
        self.creditHalfLife = creditHalfLife
    }
}

/// How long the record keeps what no longer counts.
public struct RetentionRules: Sendable, Equatable {
    /// Seconds after which forgiven incidents are purged from the record (nil: kept forever).
    public var forgiven: Double?
    /// Seconds after which incidents whose weight has faded below `fadedBelow` are purged (nil: kept forever).
    public var faded: Double?
    /// The decayed weight under which an incident counts as faded.
    public var fadedBelow: Double

    public init(forgiven: Double? = nil, faded: Double? = nil, fadedBelow: Double = 0.01) {
        self.forgiven = forgiven
        self.faded = faded
        self.fadedBelow = fadedBelow
    }
}

/// What the daemon accepts from its peers.
public struct PolicyLimits: Sendable, Equatable {
    /// Seconds an event's `at` may be ahead of the daemon's clock (switches' clocks drift); an
    /// event dated later is refused.
    public var clockSkew: Double

    public init(clockSkew: Double = 300) {
        self.clockSkew = clockSkew
    }
}

/// The command run when an alerting incident is recorded, as fail2ban runs an action.
public struct AlertAction: Sendable, Equatable {
    /// The program and its arguments; run without a shell, the incident's fields in its environment.
    public var command: [String]
    /// Seconds after which the command is killed.
    public var timeout: Double

    public init(command: [String], timeout: Double) {
        self.command = command
        self.timeout = timeout
    }
}

/// Records a `nuisance` incident by itself when one caller makes many short calls.
public struct DetectionRule: Sendable, Equatable {
    public var name: String
    /// How many short calls make a nuisance (at least).
    public var calls: Int
    /// Seconds: the window in which they must fall.
    public var within: Double
    /// Seconds: a call shorter than this counts as short.
    public var shorterThan: Double
    /// Who must have ended the call for it to count (nil: anyone).
    public var endedBy: String?
    /// The kind recorded (shipped: `nuisance`).
    public var kind: String

    public init(name: String, calls: Int, within: Double, shorterThan: Double, endedBy: String?, kind: String) {
        self.name = name
        self.calls = calls
        self.within = within
        self.shorterThan = shorterThan
        self.endedBy = endedBy
        self.kind = kind
    }
}
