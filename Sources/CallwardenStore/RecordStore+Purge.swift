import CallwardenLocking
import CallwardenCore
import CallwardenRecord
import GRDB

extension RecordStore {
    /// Most incidents one purge entry deletes, so that its note stays a readable size; a larger
    /// backlog is purged in several entries.
    public static let maximumPurge = 500

    /// The incidents the policy's retention lets go at `now`, oldest first, at most `limit`:
    /// incidents forgiven at least `retention.forgiven` ago, and incidents older than
    /// `retention.faded` whose weight has decayed below `retention.fadedBelow` (forgiven or not).
    public func purgeCandidates(policy: Policy, now: Double, limit: Int = RecordStore.maximumPurge) async throws -> [Int64] {
        try await purgeCandidatesWithCallers(policy: policy, now: now, limit: limit).map(\.id)
    }

    /// As `purgeCandidates`, with each incident's caller, so that the engine can drop exactly
    /// those incidents from memory without walking every caller.
    /// - Parameter after: only incidents after this id: a purge in several batches resumes where
    ///   the last batch ended instead of scanning the record from its start each time (which made
    ///   a purge of 50,000 incidents over a million callers hold a core for 19 s).
    public func purgeCandidatesWithCallers(policy: Policy, now: Double, limit: Int = RecordStore.maximumPurge, after: Int64 = 0) async throws -> [PurgeCandidate] {
        let retention = policy.retention
        guard retention.forgiven != nil || retention.faded != nil else { return [] }
        let path = path
        return try await pool.read { db in try Self.reportingDamage(path) {
            var found: [Int64: String?] = [:]
            if let forgiven = retention.forgiven, let cutoff = Self.cutoff(now - forgiven) {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, caller FROM entries WHERE type = 'incident' AND id > ?
                    AND id IN (SELECT ref FROM entries WHERE type = 'forgiveness' AND at_us <= ?)
                    ORDER BY id LIMIT ?
                    """, arguments: [after, cutoff, limit])
                for row in rows {
                    let id = try row.entryID(0)
                    found[id] = try row.optionalText(1, "caller", entry: id)
                }
            }
            if let faded = retention.faded, let cutoff = Self.cutoff(now - faded) {
                let rows = try Row.fetchCursor(db, sql: "SELECT id, kind, at_us, caller FROM entries WHERE type = 'incident' AND id > ? AND at_us <= ? ORDER BY id",
                                               arguments: [after, cutoff])
                var taken = 0
                while taken < limit, let row = try rows.next() {
                    let id = try row.entryID(0)
                    let kind = try row.optionalText(1, "kind", entry: id) ?? ""
                    let at = Double(try row.integer(2, "at_us", entry: id, in: RecordLimits.micros)) / 1_000_000
                    // A kind the policy no longer has weighs nothing: it has faded.
                    if policy.decayedWeight(kind: kind, at: at, now: now) < retention.fadedBelow {
                        found[id] = try row.optionalText(3, "caller", entry: id)
                        taken += 1
                    }
                }
            }
            return found.keys.sorted().prefix(limit).map { PurgeCandidate(id: $0, caller: found[$0] ?? nil) }
        } }
    }

    /// The record's time for "at or before `seconds`": nil when that is before 1970 (a retention
    /// longer than the record's age) or not a number, so that nothing qualifies; the end of the
    /// window when it is past it. Never traps, whatever the policy's durations.
    static func cutoff(_ seconds: Double) -> Int64? {
        guard !seconds.isNaN, seconds >= RecordLimits.seconds.lowerBound else { return nil }
        return (try? StoredEntry.micros(seconds)) ?? RecordLimits.micros.upperBound
    }

    /// Queues a purge: in one transaction, the incidents (and their forgiveness entries) are
    /// deleted and a `purge` entry records which, with the hashes that keep the chain verifiable.
    /// `template` gives the purge entry's time, `by` and `rule`; its note and outcome are filled in.
    public func enqueuePurge(incidents: [Int64], reason: String, template: NewEntry) -> CommitTicket {
        writer.enqueue([template], purge: PurgeOrder(incidents: incidents.sorted(), reason: reason))
    }

    /// As `enqueuePurge`, for a caller that numbers its entries (`enqueue(_:firstID:)`).
    public func enqueuePurge(incidents: [Int64], reason: String, template: NewEntry, firstID: Int64) -> CommitTicket {
        writer.enqueue([template], expectingFirstID: firstID, purge: PurgeOrder(incidents: incidents.sorted(), reason: reason))
    }
}

extension RecordStore {
    /// Claims the right to purge; false while another purge runs.
    public func beginPurge() -> Bool {
        purging.withLock { running in
            if running { return false }
            running = true
            return true
        }
    }

    public func endPurge() {
        purging.withLock { $0 = false }
    }
}

/// An incident the retention rules let go, with its caller (nil: the anonymous class).
public struct PurgeCandidate: Sendable, Equatable {
    public var id: Int64
    public var caller: String?
}
