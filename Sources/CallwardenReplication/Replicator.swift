import CallwardenCluster
import CallwardenEngine
import CallwardenLocking
import CallwardenStore
import Foundation
import Logging
import ServiceLifecycle

/// Keeps this node's record and the shared record in step, for a node of a cluster.
///
/// Outbound: every batch the local record commits is shipped to the shared record before its
/// clients are acknowledged, while the shared record answers. When it does not, the local record
/// is the spool: clients are acknowledged once their entries are committed locally (or, with the
/// spool turned off, writes are refused), and the drain ships the spooled entries in order once
/// it answers again. Shipping is idempotent, so a crash or a retry ships nothing twice.
///
/// Inbound: other nodes' entries are learnt by LISTEN/NOTIFY and by catching up on the shared
/// chain from the highest place this node has stored, after every (re)connection and at least
/// every `pollInterval` even if a notification was lost. They are stored in the local file, then
/// folded into the engine's memory: decisions never wait on the network.
public final class Replicator: Service, Sendable {
    /// How often the shared record is asked for other nodes' entries without a notification:
    /// the bound on how late an entry can be learnt if a notification is lost.
    public static let pollInterval: Duration = .seconds(1)
    /// Entries per shipping or catching-up round trip.
    static let page = 1000
    /// How long a client's acknowledgement may wait on the shared record before the batch is
    /// left to the spool and acknowledged from the local record: the shared record's timeout.
    public static let shipDeadline: Duration = .seconds(2)

    let shared: SharedRecord
    let store: RecordStore
    let engine: Engine
    let node: Int
    let spools: Bool
    let address: String
    let logger: Logger
    let clock: @Sendable () -> Double
    let shipping: Locked<ShippingState>
    let inbound = Locked(Inbound())
    /// Whether the shared record has answered since start (the first time is not a recovery).
    let connectedOnce = Locked(false)
    let loggedUnreachableAtStart = Locked(false)
    /// Rung when the drain has work: a ship failed, or the shared record may answer again.
    private let drainBell: AsyncStream<Void>
    private let ringDrain: AsyncStream<Void>.Continuation
    /// Rung by every notification and reconnection: other nodes' entries may be waiting.
    private let peerBell: AsyncStream<Void>
    private let ringPeers: AsyncStream<Void>.Continuation

    struct Inbound: Sendable {
        var peersThrough: Int64 = 0
        var applied = 0
    }

    public init(
        shared: SharedRecord, address: String, store: RecordStore, engine: Engine, node: Int, spools: Bool, logger: Logger,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.shared = shared
        self.address = address
        self.store = store
        self.engine = engine
        self.node = node
        self.spools = spools
        self.logger = logger
        self.clock = clock
        shipping = Locked(ShippingState(committedThrough: store.lastCommittedID, now: clock()))
        (drainBell, ringDrain) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (peerBell, ringPeers) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if !spools { engine.refuseWrites(Self.refusal) }
        store.onCommitted { [weak self] batch in await self?.committed(batch) }
        engine.reportSharedRecord { [weak self] in self?.report ?? SharedRecordReport(
            address: address, node: node, unreachable: nil, spools: spools, committedThrough: 0, shippedThrough: 0, peersThrough: 0, peerEntriesApplied: 0) }
    }

    /// What a client is told when its write is refused (spool off, shared record unreachable).
    static let refusal = "the shared record cannot be reached and this node does not spool writes; nothing was recorded, retry later"

    /// How this node stands, for `status`.
    public var report: SharedRecordReport {
        let (state, inbound) = (shipping.withLock { $0 }, inbound.withLock { $0 })
        var unreachable: SharedRecordReport.Unreachable?
        if case .spooling(let since, let reason) = state.link { unreachable = .init(since: since, reason: reason) }
        return SharedRecordReport(
            address: address, node: node, unreachable: unreachable, spools: spools, committedThrough: state.committedThrough,
            shippedThrough: state.shippedThrough, peersThrough: inbound.peersThrough, peerEntriesApplied: inbound.applied)
    }

    // MARK: Outbound

    /// The record's writer, after a batch committed locally: ships it and waits, or leaves it to
    /// the drain. Never fails the batch: it is durable locally whatever happens here.
    private func committed(_ batch: [StoredEntry]) async {
        guard let last = batch.last?.id else { return }
        let (route, shipped) = shipping.withLock { ($0.committed(through: last), $0.shippedThrough) }
        guard route == .ship else { return }
        do {
            // Bounded by the shared record's timeout (`shipDeadline`): one that hangs must not hold
            // every acknowledgement behind it. A ship given up on may still land; the drain then
            // finds it shipped and skips it. One that finds the shared record holding less than
            // was shipped (a failover lost transactions) ships nothing: the drain ships them again.
            let through = try await shared.ship(batch, node: node, expecting: shipped)
            shipping.withLock { $0.shipped(through: through) }
        } catch {
            lost(error, while: "shipping")
        }
    }

    /// The shared record failed: spool (or refuse writes) until the drain has caught up.
    private func lost(_ error: any Error, while doing: String) {
        let reason = Self.reason(error)
        let began = shipping.withLock { $0.failed(reason, now: clock()) }
        // Before the first connection the start-up state already says unreachable: say so once.
        let starting = !connectedOnce.withLock { $0 }
        if began || (starting && loggedUnreachableAtStart.withLock { let was = $0; $0 = true; return !was }) {
            if !spools { engine.refuseWrites(Self.refusal) }
            logger.critical("The shared record cannot be reached (\(doing)): \(spools ? "writes are spooled in the local record and shipped when it answers again" : "writes are refused until it answers again"); routing goes on from memory", metadata: [
                LogEvent.metadataKey: LogEvent.sharedRecordUnreachable.metadataValue, "error": "\(error)", "address": .string(address),
            ])
        }
        ringDrain.yield()
    }

    /// Ships what the local record holds past what the shared record has, until nothing is left;
    /// then hands shipping back to the writer.
    private func drain() async throws {
        let from = try await shared.shippedThrough(node: node)
        // More of this node's entries than its record holds: the record is not the one they were
        // shipped from (a new or restored one under the same --node). Its ids up to there are the
        // shared record's already, for other entries: shipping would skip its entries as shipped.
        let holds = store.lastCommittedID
        guard from <= holds else { throw RecordBehind(node: node, shared: from, local: holds) }
        shipping.withLock { $0.sharedHolds(through: from) }
        while true {
            let after = shipping.withLock { $0.shippedThrough }
            let entries = try await store.entries(after: after, limit: Self.page)
            if !entries.isEmpty {
                let through = try await shared.ship(entries, node: node, expecting: after)
                // The shared record says how far it holds this node's entries; never less than
                // what was just read, or the drain would read the same page for ever.
                shipping.withLock { $0.shipped(through: max(through, entries.last!.id)) }
                continue
            }
            guard let since = shipping.withLock({ $0.drained() }) else {
                // The writer reported a commit whose entries this read did not see yet: read on,
                // after a breath.
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            if !spools { engine.refuseWrites(nil) }
            let first = !connectedOnce.withLock { let was = $0; $0 = true; return was }
            if first {
                logger.info("Connected to the shared record at \(address) as node \(node); writes are acknowledged once committed there")
            } else {
                logger.notice("The shared record answers again; spooled writes shipped, writes are acknowledged once committed there", metadata: [
                    LogEvent.metadataKey: LogEvent.sharedRecordReachable.metadataValue,
                    "unreachable_for": .string(String(format: "%.1fs", clock() - since)), "address": .string(address),
                ])
            }
            return
        }
    }

    /// Drains whenever the link is down, retrying with a growing pause while it stays down.
    private func runDrain() async {
        var pause = Duration.milliseconds(200)
        while !Task.isCancelled {
            let down = shipping.withLock { $0.link != .direct }
            if down {
                do {
                    try await shared.prepare()
                    try await drain()
                    pause = .milliseconds(200)
                } catch {
                    if Task.isCancelled { return }
                    lost(error, while: "shipping spooled writes")
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(5))
                }
                continue
            }
            // Up: sleep until a ship fails.
            var bells = drainBell.makeAsyncIterator()
            guard await bells.next() != nil else { return }
        }
    }

    // MARK: Inbound

    /// Takes in other nodes' entries past the highest place stored, page by page.
    private func catchUp() async throws {
        while true {
            let after = inbound.withLock { $0.peersThrough }
            let peers = try await shared.peerEntries(after: after, excludingNode: node, limit: Self.page)
            guard let last = peers.last else { return }
            // Stored first: a crash between the two re-applies them from the file at start.
            try await store.storePeerEntries(peers)
            engine.applyPeerEntries(peers)
            inbound.withLock {
                $0.peersThrough = max($0.peersThrough, last.sharedID)
                $0.applied += peers.count
            }
            if peers.count < Self.page { return }
        }
    }

    /// Listens for notifications on a connection of its own, reconnecting after a pause when it
    /// is lost; each notification, and each (re)connection, rings the catch-up.
    private func runListener() async {
        var pause = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                ringPeers.yield()
                try await shared.listen { [ringPeers] in ringPeers.yield() }
            } catch {
                if Task.isCancelled { return }
                logger.debug("Shared record notifications lost; listening again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }

    /// Catches up on every bell, and every `pollInterval` whatever happens.
    private func runCatchUp() async {
        let ticks = Task { [ringPeers] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.pollInterval)
                ringPeers.yield()
            }
        }
        defer { ticks.cancel() }
        for await _ in peerBell {
            do {
                try await catchUp()
            } catch {
                logger.debug("Could not learn other nodes' entries yet", metadata: ["error": "\(error)"])
            }
        }
    }

    public func run() async throws {
        let peersThrough = try await store.peersThrough()
        inbound.withLock { $0.peersThrough = peersThrough }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.runDrain() }
                group.addTask { await self.runListener() }
                group.addTask { await self.runCatchUp() }
                await group.next()
                group.cancelAll()
            }
            await self.shared.close()
        } onGracefulShutdown: { [ringDrain, ringPeers] in
            ringDrain.finish()
            ringPeers.finish()
        }
    }

    /// A few words for `status`; the journal has the error itself.
    static func reason(_ error: any Error) -> String {
        if error is RecordBehind { return "this node's local record is behind the shared record; give the node a new number" }
        if case .behind? = error as? SharedRecordError { return "it lost entries this node shipped; shipping them again" }
        let text = "\(error)".lowercased()
        if text.contains("connect") || text.contains("refused") || text.contains("no such file") { return "cannot connect" }
        if text.contains("password") || text.contains("authentication") { return "authentication failed" }
        return "a request to it failed"
    }
}
