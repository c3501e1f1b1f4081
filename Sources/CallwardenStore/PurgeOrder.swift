import CallwardenRecord
import GRDB

/// Incidents to delete under the retention rules, carried out inside the writer's transaction
/// just before the purge entry that records it, so that the deletion and its record commit
/// together or not at all.
struct PurgeOrder: Sendable {
    /// The incidents; their forgiveness entries go with them, except those that opened a grace
    /// period (their `until` is the window's end, which outlives the incidents).
    var incidents: [Int64]
    /// Why, as the purge entry will say.
    var reason: String

    /// Deletes the incidents still present and their forgiveness entries, and describes what was
    /// deleted for the purge entry's note: the ids, and each run's last hash, from which the next
    /// surviving entry chains. Both queries select by type, so an id of any other entry (an
    /// exemption, its end, a review, a ladder step) is never deleted, whatever the order names.
    func carryOut(_ db: Database) throws -> PurgeNote {
        guard !incidents.isEmpty else { return PurgeNote(reason: reason, purged: [], runs: []) }
        let list = incidents.map(String.init).joined(separator: ",")
        var hashes: [Int64: String] = [:]
        // Two queries rather than one with OR: each can use its index (the primary key; the
        // forgiveness entries' index on ref), where the OR scanned the whole table every batch.
        let incidentRows = try Row.fetchAll(db, sql: "SELECT id, hash FROM entries WHERE id IN (\(list)) AND type = 'incident'")
        // A forgiveness that opened a grace period stays: the window goes on deciding whether a
        // light incident dated inside it counts, after the incidents it forgave are gone.
        let forgivenessRows = try Row.fetchAll(db, sql: "SELECT id, hash FROM entries WHERE type = 'forgiveness' AND ref IN (\(list)) AND until_us IS NULL")
        for row in incidentRows + forgivenessRows {
            let id = try row.entryID(0)
            hashes[id] = try row.hash(1, "hash", entry: id)
        }
        let ids = hashes.keys.sorted()
        let between = try db.makeStatement(sql: "SELECT EXISTS (SELECT 1 FROM entries WHERE id > ? AND id < ?)")
        let purges = try RecordStore.purgeIndex(db)
        // Two deleted entries join one run only when nothing lies between them: no surviving
        // entry, and no earlier purge's run either. Split there, every run begins where the run
        // or entry before it ended, so a verifier crosses the runs one after another; a run that
        // swallowed an earlier gap would leave that gap's run inside it, out of that order.
        let runs = try PurgeNote.runs(of: ids) { first, second in
            guard purges.runs(after: first, before: second).isEmpty else { return false }
            return try !(Bool.fetchOne(between, arguments: [first, second]) ?? false)
        } hash: { id in
            hashes[id] ?? ""
        } previous: { id in
            try RecordStore.previousHash(of: id, purges: purges, db)
        }
        if !ids.isEmpty {
            try db.execute(sql: "DELETE FROM entries WHERE id IN (\(ids.map(String.init).joined(separator: ",")))")
        }
        return PurgeNote(reason: reason, purged: ids, runs: runs)
    }
}
