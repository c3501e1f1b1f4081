/// The in-call ladder's parameters (see docs/ladder.md).
public struct LadderRules: Sendable, Equatable {
    /// Seconds after the call's first abuse during which the caller may vent: hang-up is denied.
    public var vent: Double
    /// A warning must be given, and abuse go on after it, before hang-up.
    public var warningRequired: Bool
    /// A supervisor must approve before hang-up.
    public var supervisorRequired: Bool
    /// Seconds to wait for a supervisor's verdict once one was asked for; after that, hang-up is
    /// authorised without it. Zero waits for ever.
    public var supervisorTimeout: Double
    /// Seconds after which a call with no `call.ended` is closed by the daemon.
    public var maxCallLength: Double

    public init(vent: Double, warningRequired: Bool, supervisorRequired: Bool, supervisorTimeout: Double, maxCallLength: Double) {
        self.vent = vent
        self.warningRequired = warningRequired
        self.supervisorRequired = supervisorRequired
        self.supervisorTimeout = supervisorTimeout
        self.maxCallLength = maxCallLength
    }

    /// These parameters with a kind's own ladder laid over them.
    public func applying(_ override: LadderOverride) -> LadderRules {
        var rules = self
        if let vent = override.vent { rules.vent = vent }
        if let warning = override.warningRequired { rules.warningRequired = warning }
        if let supervisor = override.supervisorRequired { rules.supervisorRequired = supervisor }
        return rules
    }
}

/// A kind's own ladder: each value set here replaces the policy-wide one.
public struct LadderOverride: Sendable, Equatable {
    public var vent: Double?
    public var warningRequired: Bool?
    public var supervisorRequired: Bool?

    public init(vent: Double? = nil, warningRequired: Bool? = nil, supervisorRequired: Bool? = nil) {
        self.vent = vent
        self.warningRequired = warningRequired
        self.supervisorRequired = supervisorRequired
    }

    public var isEmpty: Bool { vent == nil && warningRequired == nil && supervisorRequired == nil }
}
