import CallwardenRecord
import GRDB

extension RecordStore {
    /// Walks the whole hash chain and says whether every entry is as recorded: the first entry
    /// changed, removed or reordered, or a chain head that does not name the last entry. Gaps left
    /// by purges verify when they are exactly as the purge entries describe.
    ///
    /// Reads one snapshot of the record (writes go on meanwhile) and keeps one entry in memory at
    /// a time. Throws `StoreError.corrupt` for a chain head callwarden could not have written.
    public func verify() async throws -> ChainReport {
        let path = path
        return try await pool.read { db in try Self.verify(db, path: path) }
    }

    /// The walk over one connection's view of the record at `path`.
    static func verify(_ db: Database, path: String) throws -> ChainReport {
        try reportingDamage(path) {
            var verifier = ChainVerifier(purges: try purgeIndex(db), head: try headMark(db))
            let rows = try Row.fetchCursor(db, sql: "SELECT \(StoredEntry.columns) FROM entries ORDER BY id")
            while !verifier.isDecided, let row = try rows.next() {
                verifier.feed(try ChainLink(row: row))
            }
            return verifier.finish()
        }
    }

    /// Every purge entry's description. A note that cannot be read explains no gap: the walk then
    /// reports the gap, or the purge entry itself as changed.
    static func purgeIndex(_ db: Database) throws -> PurgeIndex {
        var purges: [(entry: Int64, note: PurgeNote)] = []
        for row in try Row.fetchAll(db, sql: "SELECT id, note FROM entries WHERE type = 'purge' ORDER BY id") {
            let id = try row.integer(0, "id", entry: nil, in: Int64.min...Int64.max)
            if let text = try? row.optionalText(1, "note", entry: id), let note = PurgeNote(text: text) {
                purges.append((id, note))
            }
        }
        return PurgeIndex(purges)
    }

    /// The chain head as kept, or nil when the record has none (a new, empty record); throws
    /// `RecordDamage` for one callwarden could not have written.
    static func headMark(_ db: Database) throws -> ChainHeadMark? {
        try ChainHead.fetch(db).map { ChainHeadMark(id: $0.lastID, hash: $0.lastHash) }
    }
}
