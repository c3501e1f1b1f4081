import CallwardenLocking
import CallwardenRecord
import Foundation
import GRDB

/// What a node of a cluster needs of its local record beside its own chain: its own entries to
/// ship to the shared record, and the entries other nodes recorded (`peer_entries`), stored as
/// they arrive so that a restart folds them in again.
extension RecordStore {
    /// Entries one call of `entries(after:limit:)` returns at most, whatever the limit asked.
    static let maximumEntriesAfter = 100_000

    /// This node's own entries with ids above `id`, in id order, at most `limit` (the shipper's
    /// drain after an outage or a restart).
    public func entries(after id: Int64, limit: Int) async throws -> [StoredEntry] {
        guard limit > 0 else { return [] }
        let path = path
        let after = min(max(0, id), RecordLimits.ids.upperBound)
        let limit = min(limit, Self.maximumEntriesAfter)
        return try await pool.read { db in
            try Self.reportingDamage(path) {
                try Row.fetchAll(db, sql: "SELECT \(StoredEntry.columns) FROM entries WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
                    .compactMap(StoredEntry.init(row:))
            }
        }
    }

    /// Stores entries other nodes recorded, in one transaction. Idempotent: an entry whose shared
    /// id is stored already is skipped, so a catch-up that overlaps another stores nothing twice.
    /// Every value is checked first (`PeerEntry.problem`); one that cannot be stored refuses the
    /// whole batch (`StoreError.badPeerEntry`), as does an origin id stored already under another
    /// shared id (the shared record keeps one place per origin id). Returns the entries stored
    /// now, in the order given: the ones memory has not folded in yet.
    @discardableResult
    public func storePeerEntries(_ peers: [PeerEntry]) async throws -> [PeerEntry] {
        guard !peers.isEmpty else { return [] }
        for peer in peers {
            if let problem = peer.problem { throw StoreError.badPeerEntry(sharedID: peer.sharedID, reason: problem) }
        }
        let receivedAt = try StoredEntry.micros(Date().timeIntervalSince1970, field: "received_at")
        let stored = try await pool.write { db -> [PeerEntry] in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO peer_entries (\(KnownEntry.peerColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (shared_id) DO NOTHING
                """)
            var stored: [PeerEntry] = []
            for peer in peers {
                let entry = peer.stored.entry
                let untilMicros = try entry.until.map { until throws(EntryProblem) in try StoredEntry.micros(until, field: "until") }
                do {
                    try insert.execute(arguments: [
                        peer.stored.id, StoredEntry.micros(peer.stored.recordedAt, field: "recorded_at"), entry.type.rawValue,
                        StoredEntry.micros(entry.at), entry.caller, entry.call, entry.kind, entry.agent, entry.supervisor, entry.note,
                        entry.ref, entry.rule, entry.by, entry.outcome, entry.attestation,
                        untilMicros,
                        peer.stored.hash, peer.sharedID, peer.node, receivedAt,
                    ])
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    // Not the shared id (that conflict is skipped): the origin id is taken.
                    throw StoreError.badPeerEntry(sharedID: peer.sharedID, reason: "its origin id \(peer.stored.id) is stored already as another entry of the shared record")
                }
                if db.changesCount > 0 { stored.append(peer) }
            }
            return stored
        }
        if !stored.isEmpty { holdsPeers.withLock { $0 = true } }
        return stored
    }

    /// The highest shared id stored: a catch-up goes on from there. 0 when none is.
    public func peersThrough() async throws -> Int64 {
        let path = path
        return try await pool.read { db in
            try Self.reportingDamage(path) {
                guard let row = try Row.fetchOne(db, sql: "SELECT max(shared_id) FROM peer_entries") else { return 0 }
                return try row.optionalInteger(0, "peer_entries.shared_id", entry: nil, in: RecordLimits.ids) ?? 0
            }
        }
    }

    /// Whether any peer entry is stored: the readers merge them in only then.
    var mergesPeers: Bool { holdsPeers.withLock { $0 } }
}
