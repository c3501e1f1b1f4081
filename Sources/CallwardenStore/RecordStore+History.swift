import CallwardenRecord
import GRDB

/// What `history` reads for one page of a caller's incidents: the page itself, the forgiveness
/// of its incidents, and the entries of the calls that began within its span. Read in one read
/// transaction, through the indexes by caller, by call and of forgiveness, so that a page costs
/// what is on it, not every entry the caller ever had.
public struct HistoryPage: Sendable {
    /// The page's incidents, oldest id first.
    public var incidents: [StoredEntry]
    /// Whether more incidents follow the page.
    public var more: Bool
    /// Forgiveness entries of the page's incidents, in record order.
    public var forgiveness: [StoredEntry]
    /// Every entry of the caller's calls that have an entry within `span`, in record order (a
    /// call may begin before the span or go on after it: its entries outside it are here too).
    public var callEntries: [StoredEntry]
    /// The ids the page covers: above `after`, up to its last incident when more follow, else
    /// to the end of the record. Each call of the caller belongs to the page whose span holds its
    /// first entry.
    public var span: ClosedRange<Int64>
}

extension RecordStore {
    /// The types of entry a call's story is told with.
    public static let callStepTypes: [EntryType] = [.callStart, .incident, .warning, .verdict, .hangupRequest, .callEnd]

    /// One page of `caller`'s incidents: ids above `after`, dated at or before `asOf` when given,
    /// at most `limit`; with their forgiveness and the entries of the calls within the page's span.
    public func historyPage(caller: String, after: Int64, asOf: Double?, limit: Int) async throws -> HistoryPage {
        let path = path
        let limit = min(max(1, limit), 100_000)
        let latest = asOf.map(Self.latestMicros) ?? Int64.max
        // From the wire: any whole number up to Int64.max; no id lies beyond `RecordLimits.ids`.
        let after = min(max(0, after), RecordLimits.ids.upperBound)
        let peers = mergesPeers
        return try await pool.read { db in
            try Self.reportingDamage(path) {
                try Self.historyPage(db, caller: caller, after: after, latest: latest, limit: limit, peers: peers)
            }
        }
    }

    /// The page's reads, over `entries` alone, or with a peer's entries merged in when `peers`.
    /// Merged, incidents go by id as the page's cursor does (a peer's ids lie in its own range,
    /// so they follow or precede this node's whatever their time); the calls' entries go in the
    /// order this node came to know them (`KnownEntry.merge`), as start-up folds them.
    private static func historyPage(_ db: Database, caller: String, after: Int64, latest: Int64, limit: Int, peers: Bool) throws -> HistoryPage {
        // Each query's WHERE clause, asked of `entries` and, merged, of `peer_entries` too.
        func both(_ columns: String, _ condition: String, order: String) -> String {
            let own = "SELECT \(columns) FROM entries WHERE \(condition)"
            return peers ? "\(own) UNION ALL SELECT \(columns) FROM peer_entries WHERE \(condition) ORDER BY \(order)" : "\(own) ORDER BY \(order)"
        }
        let incidents = try Self.entries(db, both(StoredEntry.columns, "caller = ?1 AND id > ?2 AND type = 'incident' AND at_us <= ?3", order: "id") + " LIMIT ?4", [caller, after, latest, limit + 1])
        let more = incidents.count > limit
        let page = Array(incidents.prefix(limit))
        var forgiveness: [StoredEntry] = []
        if !page.isEmpty {
            // Through the index of forgiveness entries by the incident they forgive, one
            // lookup per incident on the page (`+caller`: not through the index by caller,
            // which would read every entry the caller has).
            let places = (2...(page.count + 1)).map { "?\($0)" }.joined(separator: ", ")
            forgiveness = try Self.entries(db, both(StoredEntry.columns, "type = 'forgiveness' AND ref IN (\(places)) AND +caller = ?1", order: "id"), [caller] + StatementArguments(page.map(\.id)))
        }
        let end = more ? page.last?.id ?? after : RecordLimits.ids.upperBound
        let span = (after + 1)...max(after + 1, end)
        let types = Self.callStepTypes.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        // `+caller`: not through the index by caller, which would read every entry the
        // caller has; the calls named in the span are found through the index by call.
        let named = "SELECT call FROM entries WHERE caller = ?1 AND id BETWEEN ?2 AND ?3 AND call IS NOT NULL"
        let callEntries: [StoredEntry]
        if peers {
            let calls = "\(named) UNION SELECT call FROM peer_entries WHERE caller = ?1 AND id BETWEEN ?2 AND ?3 AND call IS NOT NULL"
            let arguments: StatementArguments = [caller, span.lowerBound, span.upperBound]
            let own = try KnownEntry.fetchAll(db, """
                SELECT \(StoredEntry.columns) FROM entries
                WHERE call IN (\(calls)) AND +caller = ?1 AND type IN (\(types)) ORDER BY id
                """, arguments, KnownEntry.init(ownRow:))
            let theirs = try KnownEntry.fetchAll(db, """
                SELECT \(KnownEntry.peerColumns) FROM peer_entries
                WHERE call IN (\(calls)) AND +caller = ?1 AND type IN (\(types)) ORDER BY shared_id
                """, arguments, KnownEntry.init(peerRow:))
            callEntries = KnownEntry.merged(own: own, peers: theirs)
        } else {
            callEntries = try Self.entries(db, """
                SELECT \(StoredEntry.columns) FROM entries
                WHERE call IN (SELECT DISTINCT call FROM entries WHERE caller = ?1 AND id BETWEEN ?2 AND ?3 AND call IS NOT NULL)
                  AND +caller = ?1 AND type IN (\(types))
                ORDER BY id
                """, [caller, span.lowerBound, span.upperBound])
        }
        return HistoryPage(incidents: page, more: more, forgiveness: forgiveness, callEntries: callEntries, span: span)
    }

    /// The last time in microseconds an entry may have to be dated at or before `seconds`,
    /// clamped to the record's window (the wire refuses times outside it first).
    static func latestMicros(_ seconds: Double) -> Int64 {
        guard !seconds.isNaN else { return -1 }
        if seconds < RecordLimits.seconds.lowerBound { return -1 }
        if seconds > RecordLimits.seconds.upperBound { return Int64.max }
        return (try? StoredEntry.micros(seconds)) ?? Int64.max
    }

    private static func entries(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [StoredEntry] {
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        var entries: [StoredEntry] = []
        while let row = try rows.next() {
            if let entry = try StoredEntry(row: row) { entries.append(entry) }
        }
        return entries
    }
}
