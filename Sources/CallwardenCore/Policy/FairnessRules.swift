/// How much an incident weighs by how far the caller id of its call could be trusted
/// (`caller_id.weights`): a spoofed number is a real subscriber's, who did nothing.
public struct CallerIDRules: Sendable, Equatable {
    /// Each level's weight, 0 to 1, by `CallerIDTrust`'s order (A, B, C, failed, none).
    private var weights: [Double]
    /// Every weight 1: standing can skip the multiplication. Kept rather than computed because
    /// standing asks for it several times in every decision.
    public private(set) var isNeutral = true

    /// Every weight 1: incidents count in full whatever the attestation (as before caller-id trust).
    public init() {
        weights = Array(repeating: 1, count: CallerIDTrust.allCases.count)
    }

    public init(weights given: [CallerIDTrust: Double]) {
        self.init()
        for (trust, weight) in given { self[trust] = weight }
    }

    /// What an incident on a call of this trust is multiplied by in standing.
    public func weight(_ trust: CallerIDTrust) -> Double { self[trust] }

    public subscript(_ trust: CallerIDTrust) -> Double {
        get { weights[trust.index] }
        set {
            weights[trust.index] = newValue
            isNeutral = weights.allSatisfy { $0 == 1 }
        }
    }
}

extension CallerIDTrust {
    /// Position in `allCases`, without a search: this runs for every incident of every decision.
    var index: Int {
        switch self {
        case .a: 0
        case .b: 1
        case .c: 2
        case .failed: 3
        case .none: 4
        }
    }
}

/// What a forgiveness carries beyond clearing the incidents (`forgiveness`).
public struct ForgivenessRules: Sendable, Equatable {
    /// Seconds of grace after a forgiveness, when the request gives none; 0: no grace.
    public var grace: Double
    /// During the grace period, incidents of a kind weighing less than this do not restore a
    /// restriction (they are recorded, count for the ladder and are shown).
    public var graceBelow: Double

    public init(grace: Double = 0, graceBelow: Double = 2) {
        self.grace = grace
        self.graceBelow = graceBelow
    }
}

/// A duty-of-care floor: routes a call in its scope may never get, whatever the rules say
/// (a crisis line never sends anyone to the nuisance queue).
public struct FloorRule: Sendable, Equatable {
    public var name: String
    /// Dialed numbers in scope (E.164, a trailing `*` matches a prefix); nil: none by number dialed.
    public var dialed: [String]?
    /// Callers in scope (E.164, a trailing `*` matches a prefix); nil: none by caller.
    public var callers: [String]?
    /// Never `normal`.
    public var never: Set<Route>
    /// The line of its `- name:` in the policy file (0 for one built in code).
    public var line: Int

    public init(name: String, dialed: [String]? = nil, callers: [String]? = nil, never: Set<Route>, line: Int = 0) {
        self.name = name
        self.dialed = dialed
        self.callers = callers
        self.never = never
        self.line = line
    }
}
