import CallwardenRecord

/// A node of a cluster: one callwardend, given a number of its own (`--node N`).
///
/// Each node numbers its own entries from `idFloor(of:)` on, so the ids nodes hand out ("origin
/// ids") never meet, without the nodes ever asking each other: node N's ids lie in
/// [N << 40, (N + 1) << 40), room for a trillion entries each. Ids below 1 << 40 are accepted
/// from any node: they are the entries of a record that was standalone before its node joined.
public enum ClusterNode {
    /// The node numbers a cluster may use. 1023 << 40 plus the range's width stays below
    /// `RecordLimits.ids.upperBound` (2^53 - 1), so every origin id is a valid entry id.
    public static let numbers: ClosedRange<Int> = 1...1023

    /// How far each node's range of ids reaches: 2^40 ids.
    static let rangeShift: Int64 = 40

    /// The first id node `node` hands out. `node` must be one of `numbers` (checked by whoever
    /// read it: the command line or the shared record); anything else has no floor and gets 1.
    public static func idFloor(of node: Int) -> Int64 {
        guard numbers.contains(node) else { return 1 }
        return Int64(node) << rangeShift
    }

    /// The origin ids node `node` may ship: its own range, or an id from before any node had a
    /// range (below 1 << 40). Nil for a node number outside `numbers`.
    public static func originIDs(of node: Int) -> ClosedRange<Int64>? {
        guard numbers.contains(node) else { return nil }
        // node <= 1023: (node + 1) << 40 is below 2^50, far inside Int64.
        return idFloor(of: node)...((Int64(node) + 1) << rangeShift) - 1
    }

    /// Whether `origin` can be an entry of node `node`.
    public static func accepts(origin: Int64, from node: Int) -> Bool {
        guard let own = originIDs(of: node) else { return false }
        return own.contains(origin) || (RecordLimits.ids.lowerBound..<(Int64(1) << rangeShift)).contains(origin)
    }
}
