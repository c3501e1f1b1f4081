/// Where a chain claims to end: the id and hash of its newest entry, kept apart from the entries
/// so that removing the newest ones is noticed too.
public struct ChainHeadMark: Sendable, Equatable {
    public var id: Int64
    public var hash: String

    public init(id: Int64, hash: String) {
        self.id = id
        self.hash = hash
    }
}
