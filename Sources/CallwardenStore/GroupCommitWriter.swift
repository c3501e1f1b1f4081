import CallwardenLocking
import CallwardenRecord
import Foundation
import GRDB
import Logging

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
        /// can refer to an entry before it commits; a failed commit leaves a gap, never a reuse
        /// (the chain links each entry to the last one committed, so a gap verifies).
        var nextID: Int64
        var stopped = false
    }

    private let pool: DatabasePool
    private let logger: Logger
    private let state: Locked<State>
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let observer: Locked<(@Sendable (BatchOutcome) -> Void)?> = Locked(nil)
    private let timingObserver: Locked<(@Sendable (Duration, Int) -> Void)?> = Locked(nil)
    private let committedHook: Locked<(@Sendable ([StoredEntry]) async -> Void)?> = Locked(nil)

    /// - Parameter head: the chain head as read from the record; its id has been range-checked
    ///   (`ChainHead.fetch`), so the next id cannot overflow.
    /// - Parameter idFloor: the least id the next entry may have (in `RecordLimits.ids`).
    init(pool: DatabasePool, head: ChainHead, idFloor: Int64 = 1, logger: Logger) {
        self.pool = pool
        self.logger = logger
        state = Locked(State(head: head, nextID: max(head.lastID + 1, idFloor)))
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The id the next entry queued will get.
    var nextID: Int64 { state.withLock { $0.nextID } }

    /// The id of the last entry committed: the chain head's.
    var lastCommittedID: Int64 { state.withLock { $0.head.lastID } }

    /// Queues `entries` (possibly none: a barrier that completes once everything queued before
    /// it has committed). Never waits.
    /// - Parameter expectingFirstID: the id the caller has already given the first entry (the
    ///   engine numbers its entries as it applies them to memory); if the queue has moved on, the
    ///   ticket is refused at once and nothing is queued.
    func enqueue(_ entries: [NewEntry], expectingFirstID: Int64? = nil, purge: PurgeOrder? = nil) -> CommitTicket {
        // One bad value is refused on its own, before it can fail every entry committed with it.
        if let problem = entries.lazy.compactMap(\.problem).first {
            return CommitTicket(refused: problem)
        }
        let outcome = state.withLock { state -> Result<CommitTicket, StoreError> in
            guard !state.stopped else { return .failure(.closed) }
            if let expectingFirstID, expectingFirstID != state.nextID, !entries.isEmpty {
                return .failure(.outOfOrder(expected: expectingFirstID, next: state.nextID))
            }
            let count = Int64(entries.count)
            guard state.nextID <= Int64.max - count else { return .failure(.idsExhausted) }
            let ids = (0..<count).map { state.nextID + $0 }
            state.nextID += count
            let ticket = CommitTicket(ids: ids)
            state.pending.append(Pending(entries: entries, ticket: ticket, purge: purge))
            return .success(ticket)
        }
        switch outcome {
        case .success(let ticket):
            ring.yield()
            return ticket
        case .failure(let error):
            return CommitTicket(refused: error)
        }
    }

    /// Told of every batch's outcome, after its transaction and before its tickets complete, so
    /// that whoever keeps state derived from queued entries can keep it true to the record.
    func onOutcome(_ observer: @escaping @Sendable (BatchOutcome) -> Void) {
        self.observer.withLock { $0 = observer }
    }

    /// Awaited with each committed batch's entries, after the outcome observer and before the
    /// batch's tickets complete (see `RecordStore.onCommitted`).
    func onCommitted(_ hook: @escaping @Sendable ([StoredEntry]) async -> Void) {
        committedHook.withLock { $0 = hook }
    }

    /// Told how long each committed batch took and how many entries it held, after its tickets
    /// are answered.
    func onCommitTimed(_ observer: @escaping @Sendable (Duration, Int) -> Void) {
        timingObserver.withLock { $0 = observer }
    }

    /// Writes queued and not yet taken into a batch.
    var waitingWrites: Int { state.withLock { $0.pending.count } }

    /// Fails everything still waiting to be committed. After a failed commit, the entries queued
    /// behind it were decided on a memory that held the failed entries: none of them may be
    /// recorded. The engine calls this under its own lock, so nothing is queued meanwhile.
    /// Returns how many tickets were failed.
    @discardableResult
    func failPending() -> Int {
        let waiting = state.withLock { state -> [Pending] in
            let waiting = state.pending.filter { !$0.entries.isEmpty }
            state.pending.removeAll { !$0.entries.isEmpty }
            return waiting
        }
        for pending in waiting { pending.ticket.complete(.failure(StoreError.earlierWriteFailed)) }
        return waiting.count
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
        let ids = batch.flatMap(\.ticket.ids)
        let started = ContinuousClock.now
        do {
            let (stored, newHead) = try await pool.write { db in
                try Self.insert(requests, after: head, db: db)
            }
            let took = started.duration(to: .now)
            state.withLock { $0.head = newHead }
            if let last = ids.last { observer.withLock { $0 }?(.committed(through: last)) }
            // Awaited here, so the next batch waits for it too: the hook hears batches in commit
            // order, one at a time. The batch is durable already; only its answers wait.
            if !ids.isEmpty, let hook = committedHook.withLock({ $0 }) {
                await hook(stored.flatMap { $0 })
            }
            for (pending, entries) in zip(batch, stored) {
                pending.ticket.complete(.success(entries))
            }
            // A batch of barriers alone writes nothing but the chain head: not a commit to time.
            if !ids.isEmpty, let timed = timingObserver.withLock({ $0 }) {
                timed(took, ids.count)
            }
        } catch {
            // The error text is for the journal only: clients are told that nothing was recorded.
            logger.error("The record could not be written; the events were not acknowledged", metadata: ["error": "\(error)", "entries": "\(ids.count)"])
            if let first = ids.first { observer.withLock { $0 }?(.failed(from: first)) }
            for pending in batch {
                pending.ticket.complete(.failure(error))
            }
        }
    }

    private static func insert(_ requests: [([Int64], [NewEntry], PurgeOrder?)], after head: ChainHead, db: Database) throws -> ([[StoredEntry]], ChainHead) {
        var head = head
        let recordedAt = try StoredEntry.seconds(StoredEntry.micros(Date().timeIntervalSince1970))
        let statement = try db.cachedStatement(sql: """
            INSERT INTO entries (id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, attestation, until_us, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
                let untilMicros = try entry.until.map { seconds throws(EntryProblem) in try StoredEntry.micros(seconds, field: "until") }
                entry.until = try untilMicros.map { micros throws(EntryProblem) in try StoredEntry.seconds(micros, field: "until") }
                let hash = try EntryDigest.hash(previous: head.lastHash, id: id, recordedAt: recordedAt, entry: entry)
                try statement.execute(arguments: [
                    id, StoredEntry.micros(recordedAt), entry.type.rawValue, StoredEntry.micros(entry.at), entry.caller,
                    entry.call, entry.kind, entry.agent, entry.supervisor, entry.note, entry.ref, entry.rule, entry.by,
                    entry.outcome, entry.attestation, untilMicros, hash,
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
