/// An entry another node recorded, as this node learns it from the shared record: the entry as
/// its own node stored it (`stored.id` is its origin id, unique across the cluster because each
/// node numbers its entries in a range of its own), with its place in the shared chain.
public struct PeerEntry: Sendable, Equatable {
    /// Its place in the shared record's chain (1, 2, 3, ... in commit order across all nodes).
    public var sharedID: Int64
    /// The node that recorded it.
    public var node: Int
    /// The entry, with its origin id and its hash in the shared chain.
    public var stored: StoredEntry

    public init(sharedID: Int64, node: Int, stored: StoredEntry) {
        self.sharedID = sharedID
        self.node = node
        self.stored = stored
    }
}
