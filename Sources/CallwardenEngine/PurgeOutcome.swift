/// What one purge did.
public struct PurgeOutcome: Sendable {
    /// The `purge` entries recorded (one per `RecordStore.maximumPurge` incidents).
    public var entries: [Int64] = []
    /// Every entry deleted: incidents and their forgiveness entries.
    public var purged: [Int64] = []
    /// How many of them were incidents.
    public var incidents = 0
    /// False when the policy sets no retention: nothing is ever purged then.
    public var retentionSet = true
}
