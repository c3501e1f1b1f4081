import CallwardenCore

/// A call's agent is waiting for a supervisor: a `hangup.request` was answered
/// `supervisor_required`. What a supervisor needs to decide, in one value.
public struct SupervisorRequest: Sendable, Equatable {
    public var call: String
    public var caller: Caller
    /// The agent who asked, as the switch names them; nil when the request did not say.
    public var agent: String?
    /// The caller's standing when the agent asked: score and unforgiven incidents on record.
    public var standing: Standing
    /// What the agent sent (`hangup.request`).
    public var request: String
    /// The ladder rule that answered, and its sentence for the agent.
    public var rule: String
    public var reason: String
    /// When the agent asked (the request's `at`).
    public var askedAt: Double
    /// When the ladder stops waiting and authorises the hang-up by itself: the first time a
    /// supervisor was asked in this call plus `ladder.supervisor_timeout`. Nil when the policy
    /// waits for ever (`0s`).
    public var deadline: Double?
    /// The record entry of the `hangup.request` that asked.
    public var entry: Int64

    public init(
        call: String, caller: Caller, agent: String?, standing: Standing, request: String = "hangup.request", rule: String, reason: String,
        askedAt: Double, deadline: Double?, entry: Int64
    ) {
        self.call = call
        self.caller = caller
        self.agent = agent
        self.standing = standing
        self.request = request
        self.rule = rule
        self.reason = reason
        self.askedAt = askedAt
        self.deadline = deadline
        self.entry = entry
    }

    /// The deadline for a call whose supervisor was first asked at `firstAsked`, under a policy
    /// that waits `timeout` seconds (0: for ever). Both come from the record or the policy, within
    /// their bounds; a sum that is not finite is taken as no deadline rather than trusted.
    static func deadline(firstAsked: Double?, timeout: Double) -> Double? {
        guard timeout > 0, let firstAsked else { return nil }
        let deadline = firstAsked + timeout
        return deadline.isFinite ? deadline : nil
    }
}
