import CallwardenLocking
import CallwardenRecord
import Foundation
import GRDB
import Logging

/// The durable record of callwarden: every incident, forgiveness and ladder step, append-only and
/// hash-chained, in one SQLite file (`callwarden.sqlite` in the state directory, WAL mode,
/// synchronous=FULL).
///
/// Writes go through `append`, which returns only once the entries are durably committed. Writes
/// from many connections are gathered into one transaction per flush by `GroupCommitWriter`, so
/// that durability costs one fsync per batch, not per event.
public final class RecordStore: Sendable {
    public static let fileName = "callwarden.sqlite"

    public let path: String
    let pool: DatabasePool
    let writer: GroupCommitWriter
    /// Set while a purge runs: two at once would pick the same incidents.
    let purging = Locked(false)
    /// The purge index export pages last used (see `RecordStore+Export`).
    let exportPurges = Locked<CachedPurgeIndex?>(nil)
    /// Whether `peer_entries` holds anything: while it does not (every standalone node), the
    /// readers run their queries over `entries` alone, as before there were peers.
    let holdsPeers: Locked<Bool>

    /// Opens (or creates) the record in `directory`, migrating it to the current schema.
    /// Refuses a damaged file rather than writing to it.
    /// - Parameter idFloor: the least id this node's next entry may have. A node of a cluster
    ///   numbers its entries from its own range (node N from N << 40), so that ids are unique
    ///   across the cluster without coordination; the next id is `max(last id + 1, idFloor)`. The
    ///   jump leaves a gap, which verifies: each entry chains from the last one committed. Outside
    ///   `RecordLimits.ids` it is refused.
    public init(directory: String, logger: Logger, idFloor: Int64 = 1) throws {
        guard RecordLimits.ids.contains(idFloor) else {
            throw StoreError.badIDFloor(idFloor)
        }
        try Self.makeDirectory(directory)
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.label = "callwarden.record"
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            // Opening reads the schema (and may write to a file without tables): a file SQLite
            // finds malformed already here is damaged, not merely unopenable.
            try Self.reportingDamage(path) { throw error }
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        do {
            try Schema.migrator.migrate(pool)
        } catch {
            // A file SQLite finds malformed is refused as damaged, like one the checks refuse.
            try Self.reportingDamage(path) { throw error }
            throw StoreError.cannotOpen(path: path, reason: "cannot update its schema: \(error)")
        }
        // DatabasePool sets synchronous=NORMAL after opening; an acknowledged record needs FULL,
        // or a power cut could lose the last commits. Set it on the writer and read it back.
        let synchronous = try pool.writeWithoutTransaction { db -> Int in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
        guard synchronous == 2 else { throw StoreError.notDurable(path: path, synchronous: synchronous) }
        let pool = pool
        let (head, peers) = try Self.reportingDamage(path) {
            try pool.read { db in
                (try ChainHead.fetchChecked(db), try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM peer_entries)") ?? false)
            }
        }
        holdsPeers = Locked(peers)
        writer = GroupCommitWriter(pool: pool, head: head, idFloor: idFloor, logger: logger)
    }

    /// Queues `entries` to be recorded in one transaction, in order; the ticket tells their ids at
    /// once and their durability once committed. Never waits: the order of calls is the order in
    /// the record.
    public func enqueue(_ entries: [NewEntry]) -> CommitTicket {
        writer.enqueue(entries)
    }

    /// Queues `entries` whose ids the caller has already given them, from `firstID` on (the
    /// engine numbers entries as it applies them to memory, under its own lock). Refused at once,
    /// with nothing queued, if `firstID` is not the next id.
    public func enqueue(_ entries: [NewEntry], firstID: Int64) -> CommitTicket {
        writer.enqueue(entries, expectingFirstID: firstID)
    }

    /// The id the next entry queued will get.
    public var nextID: Int64 { writer.nextID }

    /// Fails every write still waiting to be committed (see `GroupCommitWriter.failPending`).
    @discardableResult
    public func failPending() -> Int {
        writer.failPending()
    }

    /// Records `entries` and returns them as stored once the commit is durable. Throws if the
    /// record cannot be written: nothing was recorded then.
    public func append(_ entries: [NewEntry]) async throws -> [StoredEntry] {
        try await writer.enqueue(entries).wait()
    }

    /// Returns once everything queued so far is committed (or failed).
    public func barrier() async {
        _ = try? await writer.enqueue([]).wait()
    }

    /// Told of each batch's outcome (see `GroupCommitWriter.onOutcome`).
    public func onBatchOutcome(_ observer: @escaping @Sendable (BatchOutcome) -> Void) {
        writer.onOutcome(observer)
    }

    /// Awaited after each batch that holds entries commits, with those entries in id order, before
    /// the batch's writes are answered: a client's acknowledgement waits for it (a node of a
    /// cluster ships the entries to the shared record here). Batches are told one at a time, in
    /// commit order; the next batch commits only once the hook returns, so it must never wait for
    /// a write of this record (that write would wait for it), and the writer stops only once it
    /// has returned. It cannot fail the write: the entries are durable in this record whatever it
    /// does. One hook; a second replaces it.
    public func onCommitted(_ hook: @escaping @Sendable ([StoredEntry]) async -> Void) {
        writer.onCommitted(hook)
    }

    /// The id of the last entry committed (the chain head's); 0 for a new record.
    public var lastCommittedID: Int64 { writer.lastCommittedID }

    /// Told how long each batch that committed took, from the start of its transaction to its
    /// durable end, and how many entries it held; after its tickets are answered, so a slow
    /// observer delays no client.
    public func onCommitTimed(_ observer: @escaping @Sendable (_ took: Duration, _ entries: Int) -> Void) {
        writer.onCommitTimed(observer)
    }

    /// Writes waiting for the record's writer, behind the batch it is committing (for the metrics
    /// endpoint).
    public var waitingWrites: Int { writer.waitingWrites }

    public func append(_ entry: NewEntry) async throws -> StoredEntry {
        try await append([entry])[0]
    }

    /// Runs the writer until graceful shutdown; pending writes are committed before it returns.
    public func runWriter() async {
        await writer.run()
    }

    public func stopWriter() {
        writer.stop()
    }

    private static func makeDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw StoreError.cannotCreateDirectory(directory, errno: Int32((error as NSError).code))
        }
    }

    /// SQLite's quick check over the whole file: a damaged record is refused, never written to.
    /// Separate from opening so the daemon can run it beside the start-up index load (on a
    /// 1M-caller record each takes over a second); nothing is written before both are done.
    public func checkIntegrity() throws {
        try Self.checkIntegrity(pool, path: path)
    }

    private static func checkIntegrity(_ pool: DatabasePool, path: String) throws {
        let result: String
        do {
            result = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "no answer" }
        } catch {
            throw StoreError.corrupt(path: path, detail: "\(error)")
        }
        guard result == "ok" else { throw StoreError.corrupt(path: path, detail: result) }
    }
}
