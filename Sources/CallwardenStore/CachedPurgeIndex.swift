import CallwardenRecord
import GRDB
import CallwardenLocking

/// A purge index kept between export pages. An export reads hundreds of pages; building the
/// index for each meant reading and decoding every purge note each time (on a record with 100
/// purges of 1,000 entries, a third of a second per page). The purge entries change only when a
/// purge commits, so the index is reused while they are as they were.
struct CachedPurgeIndex: Sendable {
    /// What identifies the purge entries as they were: how many, and the newest, read from the
    /// `entries_purges` index alone. callwarden only ever adds purge entries, so either changes
    /// with every purge. An edit of a note by hand is not seen here, but an export made with the
    /// old index fails verification at that purge entry all the same.
    struct Fingerprint: Sendable, Equatable {
        var count: Int64
        var newest: Int64?

        static func read(_ db: Database) throws -> Fingerprint {
            guard let row = try Row.fetchOne(db, sql: "SELECT count(*), max(id) FROM entries WHERE type = 'purge'") else {
                return Fingerprint(count: 0, newest: nil)
            }
            let any = Int64.min...Int64.max
            return Fingerprint(
                count: try row.integer(0, "count of purge entries", entry: nil, in: any),
                newest: try row.optionalInteger(1, "newest purge entry", entry: nil, in: any))
        }
    }

    var fingerprint: Fingerprint
    var index: PurgeIndex
}

extension RecordStore {
    /// The purge index for an export page read in `db`: the cached one while the purge entries
    /// are as they were, otherwise read again. Verification never uses it: it reads every note
    /// afresh.
    func exportPurgeIndex(_ db: Database) throws -> PurgeIndex {
        let fingerprint = try CachedPurgeIndex.Fingerprint.read(db)
        if let cached = exportPurges.withLock({ $0 }), cached.fingerprint == fingerprint {
            return cached.index
        }
        let index = try Self.purgeIndex(db)
        exportPurges.withLock { $0 = CachedPurgeIndex(fingerprint: fingerprint, index: index) }
        return index
    }
}
