import CallwardenRecord

extension PeerEntry {
    /// Node numbers of a cluster. Each node numbers its own entries from `node << 40` on, so the
    /// highest node's range still ends far inside `RecordLimits.ids`.
    public static let nodes: ClosedRange<Int> = 1...1023

    /// The first reason this entry cannot be stored as it is, or nil: every value the local
    /// record would keep is checked as a new entry's is (`NewEntry.problem`), and its places in
    /// both chains as the record's own ids and hashes are. The shared record is outside input.
    public var problem: String? {
        guard RecordLimits.ids.contains(sharedID) else {
            return "its shared id must be from \(RecordLimits.ids.lowerBound) to \(RecordLimits.ids.upperBound)"
        }
        guard Self.nodes.contains(node) else {
            return "node must be from \(Self.nodes.lowerBound) to \(Self.nodes.upperBound); got \(node)"
        }
        guard RecordLimits.ids.contains(stored.id) else {
            return "its origin id must be from \(RecordLimits.ids.lowerBound) to \(RecordLimits.ids.upperBound); got \(stored.id)"
        }
        guard stored.recordedAt.isFinite, RecordLimits.seconds.contains(stored.recordedAt) else {
            return "recorded_at must be a time from \(RecordLimits.secondsDescription); got \(stored.recordedAt)"
        }
        guard ChainDigest.isHash(stored.hash) else {
            return "its hash is not 64 lowercase hex digits"
        }
        return stored.entry.problem?.message
    }
}
