import CallwardenRecord
import GRDB

extension RecordStore {
    /// Most entries one page holds.
    public static let maximumExportPage = 1000
    /// Pages stop growing near this many bytes of field text, so that an answer line stays near
    /// the protocol's 64 KiB even when notes are long. A page always holds at least one entry.
    static let exportPageBytes = 40 * 1024

    /// Reads one page of the record for export, from one snapshot.
    ///
    /// A page costs about the same wherever it lies in the record: the purge index is reused
    /// between pages (`exportPurgeIndex`), `since` is found by reading from `after` rather than
    /// by scanning the table, and each entry's previous hash comes from the entry before it on
    /// the page.
    /// - Parameters:
    ///   - caller: only this (normalised) caller's entries; the page is then not contiguous.
    ///   - since: start at the first entry recorded at or after this time (seconds since 1970) and
    ///     take every entry after it, so that the export is an unbroken stretch of the chain.
    ///   - after: the previous page's `next`.
    public func exportPage(caller: String?, since: Double?, after: Int64?, limit: Int) async throws -> ExportPage {
        let limit = max(1, min(limit, Self.maximumExportPage))
        let path = path
        return try await pool.read { db in
            try Self.reportingDamage(path) {
                try self.exportPage(db, caller: caller, since: since, after: after, limit: limit)
            }
        }
    }

    private func exportPage(_ db: Database, caller: String?, since: Double?, after: Int64?, limit: Int) throws -> ExportPage {
        let head = try Self.headMark(db)
        var conditions = ["id > ?"]
        var arguments: [any DatabaseValueConvertible] = [after ?? 0]
        if let since {
            switch try Self.sinceStart(since, after: after, db) {
            case .everyEntryAfter: break
            case .from(let first):
                conditions.append("id >= ?")
                arguments.append(first)
            case .nothing:
                return ExportPage(entries: [], next: nil, head: head, contiguous: caller == nil)
            }
        }
        if let caller {
            conditions.append("caller = ?")
            arguments.append(caller)
        }
        arguments.append(limit + 1)
        let rows = try Row.fetchAll(
            db, sql: "SELECT \(StoredEntry.columns) FROM entries WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?",
            arguments: StatementArguments(arguments))
        let purges = try exportPurgeIndex(db)
        var links: [ChainLink] = []
        var bytes = 0
        var more = rows.count > limit
        for row in rows.prefix(limit) {
            var link = try ChainLink(row: row)
            if caller == nil, let last = links.last {
                link.previousHash = purges.boundary(after: last.id, before: link.id) ?? last.hash
            } else {
                link.previousHash = try Self.previousHash(of: link.id, purges: purges, db)
            }
            let size = link.fields.reduce(200) { $0 + ($1.value?.utf8.count ?? 0) }
            if !links.isEmpty, bytes + size > Self.exportPageBytes {
                more = true
                break
            }
            bytes += size
            links.append(link)
        }
        return ExportPage(entries: links, next: more ? links.last?.id : nil, head: head, contiguous: caller == nil)
    }

    /// Where a page of a `since` export begins.
    enum SinceStart: Equatable {
        /// Every entry after `after` belongs to the export.
        case everyEntryAfter
        /// The export begins at this entry, after `after`.
        case from(Int64)
        /// Nothing was recorded since then after `after`.
        case nothing
    }

    /// A `since` export begins at the first entry recorded at or after `since`.
    ///
    /// Times are recorded in id order, so on every page after the first the entry `after` itself
    /// was recorded since then and every entry after it belongs: found by reading one row back
    /// from `after`, not by scanning the table for the first such entry on every page. (Should
    /// the clock have stepped back, the search reads on, row by row, to the same answer.)
    static func sinceStart(_ since: Double, after: Int64?, _ db: Database) throws -> SinceStart {
        guard let micros = try? StoredEntry.micros(since) else {
            // Outside the record's window: before it, every entry was recorded since then;
            // after it (or not a number), none was.
            return since < RecordLimits.seconds.lowerBound ? .everyEntryAfter : .nothing
        }
        if let after, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM entries WHERE id <= ? AND recorded_at_us >= ? ORDER BY id DESC LIMIT 1)", arguments: [after, micros]) == true {
            return .everyEntryAfter
        }
        let first = try Int64.fetchOne(db, sql: "SELECT id FROM entries WHERE id > ? AND recorded_at_us >= ? ORDER BY id LIMIT 1", arguments: [after ?? Int64.min, micros])
        return first.map(SinceStart.from) ?? .nothing
    }

    /// The hash the entry at `id` chains from: the entry still present before it, or the end of
    /// a purged run between them, or the genesis value.
    static func previousHash(of id: Int64, purges: PurgeIndex, _ db: Database) throws -> String {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM entries WHERE id < ? ORDER BY id DESC LIMIT 1", arguments: [id]) else {
            return purges.boundary(after: nil, before: id) ?? ChainDigest.genesis
        }
        let survivor = try row.integer(0, "id", entry: nil, in: Int64.min...Int64.max)
        if let boundary = purges.boundary(after: survivor, before: id) { return boundary }
        // Read as text whatever it holds: a changed hash is for the verifier to report.
        let hash: DatabaseValue = row[1]
        return String.fromDatabaseValue(hash) ?? ""
    }
}
