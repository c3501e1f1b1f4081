import CallwardenRecord
import CallwardenStore

/// The shared record's hash chain: the local record's canonical form (`EntryDigest`,
/// docs/record.md) with the entry's shared id as its `id`, and two fields appended that say
/// whose entry it is: `node` (the node that recorded it) and `origin` (its id in that node's own
/// record). Both are always present, so a row moved to another node or origin fails its hash.
enum SharedEntryDigest {
    static let appendedFieldNames = ChainDigest.sharedFieldNames

    static func fields(sharedID: Int64, node: Int, stored: StoredEntry) throws(EntryProblem) -> [ChainField] {
        var fields = try EntryDigest.fields(id: sharedID, recordedAt: stored.recordedAt, entry: stored.entry)
        fields.append(ChainField("node", String(node)))
        fields.append(ChainField("origin", String(stored.id)))
        return fields
    }

    static func hash(previous: String, sharedID: Int64, node: Int, stored: StoredEntry) throws(EntryProblem) -> String {
        ChainDigest.hash(previous: previous, fields: try fields(sharedID: sharedID, node: node, stored: stored))
    }
}
