/// Which record an entry read from the local file came from: this node's own chain, or the
/// entries other nodes of a cluster recorded, kept beside it (`peer_entries`).
public enum EntryOrigin: Sendable, Equatable {
    case own
    /// Recorded by node `node`; `sharedID` is its place in the shared record.
    case peer(node: Int, sharedID: Int64)
}
