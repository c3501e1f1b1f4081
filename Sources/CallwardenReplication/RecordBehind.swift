/// The shared record holds entries of this node beyond the last one its local record holds: the
/// local record is not the one they were shipped from (a new one, or one restored from a backup,
/// under a node number that shipped before). Nothing more is shipped: the ids this record hands
/// out up to `shared` are, in the shared record, other entries of the same node.
struct RecordBehind: Error, CustomStringConvertible {
    var node: Int
    var shared: Int64
    var local: Int64

    var description: String {
        "the shared record holds node \(node)'s entries through id \(shared), but this node's local record ends at \(local): it is not the record those entries were shipped from; nothing more is shipped from it (start this node with a node number no node has used, or with the record it had)"
    }
}
