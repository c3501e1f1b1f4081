import CallwardenRecord
import GRDB

extension RecordStore {
    /// Walks the whole hash chain and says whether every entry is as recorded: the first entry
    /// changed, removed or reordered, or a chain head that does not name the last entry. Gaps left
    /// by purges verify when they are exactly as the purge entries describe.
    ///
    /// Reads one snapshot of the record (writes go on meanwhile) and keeps one entry in memory at
    /// a time.
    public func verify() async throws -> ChainReport {
        try await pool.read { db in
            var verifier = ChainVerifier(purges: try Self.purgeIndex(db), head: try Self.headMark(db))
            let rows = try Row.fetchCursor(db, sql: "SELECT \(StoredEntry.columns) FROM entries ORDER BY id")
            while !verifier.isDecided, let row = try rows.next() {
                verifier.feed(ChainLink(row: row))
            }
            return verifier.finish()
        }
    }

    /// Every purge entry's description. A note that cannot be read explains no gap: the walk then
    /// reports the gap, or the purge entry itself as changed.
    static func purgeIndex(_ db: Database) throws -> PurgeIndex {
        var purges: [(entry: Int64, note: PurgeNote)] = []
        for row in try Row.fetchAll(db, sql: "SELECT id, note FROM entries WHERE type = 'purge' ORDER BY id") {
            if let text: String = row["note"], let note = PurgeNote(text: text) {
                purges.append((row["id"], note))
            }
        }
        return PurgeIndex(purges)
    }

    /// The chain head as kept, or nil when the record has none (a new, empty record).
    static func headMark(_ db: Database) throws -> ChainHeadMark? {
        guard let row = try Row.fetchOne(db, sql: "SELECT last_id, last_hash FROM chain_head WHERE single = 1") else { return nil }
        return ChainHeadMark(id: row["last_id"], hash: row["last_hash"])
    }
}
