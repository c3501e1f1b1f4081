/// The outcome of walking a chain.
public struct ChainReport: Sendable, Equatable {
    /// Entries whose hash was checked.
    public var entries: Int
    /// Entries deleted by purges recorded in the chain.
    public var purged: Int
    /// The last entry that verified, and its hash.
    public var lastID: Int64?
    public var lastHash: String?
    /// The chain head as kept with the record (or stated by an export), if any.
    public var head: ChainHeadMark?
    /// Nil when the chain verifies.
    public var problem: ChainProblem?

    public var verified: Bool { problem == nil }
}
