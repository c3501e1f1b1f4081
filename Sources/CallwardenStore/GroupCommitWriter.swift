import CallwardenRecord
import Foundation
import GRDB
import Logging
import Synchronization

/// Group commit: appends from any number of connections wait in a queue; one writer task takes
/// everything waiting, commits it in a single transaction (one fsync), then answers each caller.
///
/// GRDB has no group commit of its own. The writer is a long-lived task of its own rather than
/// "the first caller leads", so that a client hanging up mid-write cannot cancel other clients'
/// commits.
final class GroupCommitWriter: Sendable {
    /// Entries per transaction at most, so one huge burst cannot hold every caller behind one commit.
    static let maximumBatch = 4096

    private struct Pending {
        var entries: [NewEntry]
        var ticket: CommitTicket
        /// Deletions carried out just before `entries` (one purge entry), in the same transaction.
        var purge: PurgeOrder? = nil
    }

    private struct State {
        var pending: [Pending] = []
        var head: ChainHead
        /// The id the next enqueued entry gets. Ids are handed out at enqueue time so that callers
        /// can refer to an entry before it commits; a failed commit leaves a gap, never a reuse.
        var nextID: Int64
        var stopped = false
    }

    private let pool: DatabasePool
    private let logger: Logger
    private let state: Mutex<State>
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let failureObserver: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

    init(pool: DatabasePool, head: ChainHead, logger: Logger) {
        self.pool = pool
        self.logger = logger
        state = Mutex(State(head: head, nextID: head.lastID + 1))
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `entries` (possibly none: a barrier that completes once everything queued before
    /// it has committed). Never waits.
    func enqueue(_ entries: [NewEntry], purge: PurgeOrder? = nil) -> CommitTicket {
        let ticket = state.withLock { state -> CommitTicket? in
            guard !state.stopped else { return nil }
            let ids = (0..<Int64(entries.count)).map { state.nextID + $0 }
            state.nextID += Int64(entries.count)
            let ticket = CommitTicket(ids: ids)
            state.pending.append(Pending(entries: entries, ticket: ticket, purge: purge))
            return ticket
        }
        guard let ticket else {
            let refused = CommitTicket(ids: [])
            refused.complete(.failure(StoreError.closed))
            return refused
        }
        ring.yield()
        return ticket
    }

    /// Called after a failed commit, so that whoever keeps state derived from queued entries can
    /// rebuild it from what is really recorded.
    func onFailure(_ observer: @escaping @Sendable () -> Void) {
        failureObserver.withLock { $0 = observer }
    }

    /// Commits batches until `stop()`; what is still waiting then is committed before returning.
    func run() async {
        for await _ in doorbell {
            await flush()
        }
        await flush()
    }

    /// Refuses new appends and lets `run()` finish once the queue is empty.
    func stop() {
        state.withLock { $0.stopped = true }
        ring.finish()
    }

    private func flush() async {
        while true {
            let (batch, head) = state.withLock { state -> ([Pending], ChainHead) in
                var count = 0
                var taken = 0
                while taken < state.pending.count, count < Self.maximumBatch {
                    count += state.pending[taken].entries.count
                    taken += 1
                }
                let batch = Array(state.pending.prefix(taken))
                state.pending.removeFirst(taken)
                return (batch, state.head)
            }
            if batch.isEmpty { return }
            await commit(batch, after: head)
        }
    }

    private func commit(_ batch: [Pending], after head: ChainHead) async {
        let requests = batch.map { ($0.ticket.ids, $0.entries, $0.purge) }
        do {
            let (stored, newHead) = try await pool.write { db in
                try Self.insert(requests, after: head, db: db)
            }
            state.withLock { $0.head = newHead }
            for (pending, entries) in zip(batch, stored) {
                pending.ticket.complete(.success(entries))
            }
        } catch {
            logger.error("The record could not be written; the events were not acknowledged", metadata: ["error": "\(error)", "entries": "\(requests.count)"])
            for pending in batch {
                pending.ticket.complete(.failure(error))
            }
            failureObserver.withLock { $0 }?()
        }
    }

    private static func insert(_ requests: [([Int64], [NewEntry], PurgeOrder?)], after head: ChainHead, db: Database) throws -> ([[StoredEntry]], ChainHead) {
        var head = head
        let recordedAt = try StoredEntry.seconds(StoredEntry.micros(Date().timeIntervalSince1970))
        let statement = try db.cachedStatement(sql: """
            INSERT INTO entries (id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var result: [[StoredEntry]] = []
        result.reserveCapacity(requests.count)
        for (ids, entries, purge) in requests {
            var stored: [StoredEntry] = []
            stored.reserveCapacity(entries.count)
            // A purge's deletions happen here, in order, so that the purge entry's note describes
            // exactly the rows gone when it is chained.
            let purgeNote = try purge?.carryOut(db)
            for (id, var entry) in zip(ids, entries) {
                if let purgeNote {
                    entry.note = purgeNote.text
                    entry.outcome = "\(purgeNote.purged.count) entries"
                }
                // Round to the microsecond the record keeps, so what is hashed is what is read back.
                entry.at = try StoredEntry.seconds(StoredEntry.micros(entry.at))
                let hash = try EntryDigest.hash(previous: head.lastHash, id: id, recordedAt: recordedAt, entry: entry)
                try statement.execute(arguments: [
                    id, StoredEntry.micros(recordedAt), entry.type.rawValue, StoredEntry.micros(entry.at), entry.caller,
                    entry.call, entry.kind, entry.agent, entry.supervisor, entry.note, entry.ref, entry.rule, entry.by,
                    entry.outcome, hash,
                ])
                head = ChainHead(lastID: id, lastHash: hash)
                stored.append(StoredEntry(id: id, recordedAt: recordedAt, entry: entry, hash: hash))
            }
            result.append(stored)
        }
        try head.save(db)
        return (result, head)
    }
}
