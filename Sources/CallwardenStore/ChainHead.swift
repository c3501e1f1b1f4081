import CallwardenRecord
import GRDB

/// The last link of the hash chain, kept in the record so that removing the newest entries is
/// detected too.
struct ChainHead: Sendable {
    var lastID: Int64
    var lastHash: String

    /// The head as kept, range-checked: nil for a new record (no head row); `RecordDamage` for a
    /// head callwarden could not have written.
    static func fetch(_ db: Database) throws -> ChainHead? {
        guard let row = try Row.fetchOne(db, sql: "SELECT last_id, last_hash FROM chain_head WHERE single = 1") else { return nil }
        // 0 is the head of a record whose entries all failed to commit; ids start at 1.
        let lastID = try row.integer(0, "chain_head.last_id", entry: nil, in: 0...RecordLimits.ids.upperBound)
        return ChainHead(lastID: lastID, lastHash: try row.hash(1, "chain_head.last_hash", entry: nil))
    }

    /// The head the writer continues from. Besides the head's own values, the newest entry must
    /// not lie beyond it: the writer hands out ids after the head, and an entry already at one of
    /// them would make every later write fail.
    static func fetchChecked(_ db: Database) throws -> ChainHead {
        let head = try fetch(db) ?? ChainHead(lastID: 0, lastHash: EntryDigest.genesis)
        if let row = try Row.fetchOne(db, sql: "SELECT max(id) FROM entries"),
           let newest = try row.optionalInteger(0, "the newest entry's id", entry: nil, in: Int64.min...Int64.max),
           newest > head.lastID {
            throw RecordDamage("the record holds entry \(newest), past the entry chain_head names (\(head.lastID)): entries were added outside callwarden, or chain_head was edited")
        }
        return head
    }

    func save(_ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO chain_head (single, last_id, last_hash) VALUES (1, ?, ?) ON CONFLICT(single) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash",
            arguments: [lastID, lastHash])
    }
}
