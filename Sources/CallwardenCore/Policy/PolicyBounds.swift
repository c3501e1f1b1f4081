/// The range every number in a policy file must fall in, checked by `--check-policy` and on every
/// reload (docs/policy.md lists them).
///
/// They exist so that no policy that passes the check can make the daemon trap or answer with a
/// number JSON cannot carry: times are turned into whole microseconds and `Duration`s, and scores
/// are sums of weights. The limits are far beyond any sensible setting, and far inside what those
/// conversions hold.
public enum PolicyBounds {
    static let day = 86_400.0
    static let year = 31_536_000.0

    /// Half-lives and windows: from a second to a century.
    public static let halfLife: ClosedRange<Double> = 1...(100 * year)
    /// `rules[].when.incidents.within`.
    public static let incidentWindow: ClosedRange<Double> = 1...(100 * year)
    /// `retention.forgiven` and `retention.faded`: at most a century.
    public static let retention: ClosedRange<Double> = 1...(100 * year)
    /// `ladder.vent` and a kind's own `ladder.vent`.
    public static let vent: ClosedRange<Double> = 0...day
    /// `ladder.supervisor_timeout` (0: wait for ever).
    public static let supervisorTimeout: ClosedRange<Double> = 0...day
    /// `ladder.max_call_length`.
    public static let maxCallLength: ClosedRange<Double> = 60...(7 * day)
    /// `alert.timeout`.
    public static let alertTimeout: ClosedRange<Double> = 1...600
    /// `limits.clock_skew`: how far ahead of the daemon's clock an event's `at` may be.
    public static let clockSkew: ClosedRange<Double> = 0...day
    /// `detection[].within`.
    public static let detectionWindow: ClosedRange<Double> = 1...(30 * day)
    /// `detection[].shorter_than`.
    public static let shortCall: ClosedRange<Double> = 1...day
    /// `forgiveness.grace` (0: no grace).
    public static let grace: ClosedRange<Double> = 0...year
    /// `rules[].review`: how long a restriction lasts before a person must renew it.
    public static let review: ClosedRange<Double> = day...(10 * year)

    /// A category's `weight`, `standing.resolved_call_credit`, `retention.faded_below` and
    /// `forgiveness.grace_below`.
    public static let weight: ClosedRange<Double> = 0...1000
    /// `caller_id.weights`: a factor on an incident's weight, never more than in full.
    public static let callerIDWeight: ClosedRange<Double> = 0...1
    /// `rules[].when.score.at_least`: a score is a sum of weights, so this may exceed one weight.
    public static let scoreThreshold: ClosedRange<Double> = 0...1_000_000
    /// `rules[].priority`.
    public static let priority: ClosedRange<Int> = 0...1_000_000
    /// `rules[].when.incidents.at_least`.
    public static let incidentCount: ClosedRange<Int> = 1...1_000_000
    /// `detection[].calls`.
    public static let detectionCalls: ClosedRange<Int> = 2...10_000
    /// `welfare[].incidents`: abusive calls an agent takes before the rule speaks up.
    public static let welfareIncidents: ClosedRange<Int> = 1...1000
    /// `welfare[].within`: the agents' counters keep at most this much of each agent's past.
    public static let welfareWindow: ClosedRange<Double> = 60...(30 * day)
    /// Bytes in one text for the agent (`words`, `welfare[].say`): a few sentences for a screen,
    /// never a document on every answer line.
    public static let textBytes: ClosedRange<Int> = 1...1000
}
