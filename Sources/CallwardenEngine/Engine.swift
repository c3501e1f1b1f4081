import CallwardenLocking
import CallwardenCore
import CallwardenRecord
import CallwardenStore
import Foundation
import Logging

/// Where the pure core meets the durable record: a lock around `EngineState` (the policy in
/// force, every tracked caller's history summary, the calls in progress) and the hand-over of
/// each write's entries to the record.
///
/// A write is decided and applied to memory under the lock, so the next request already sees it,
/// and its entries are queued for the record in the same breath, so the record's order is the
/// order of decisions. The client's answer waits for the durable commit. If a commit fails,
/// everything queued behind it fails too and memory takes back every uncommitted effect (see
/// `EngineState.rollBack(from:)`): memory never keeps what the record does not.
public final class Engine: Sendable {
    let store: RecordStore
    let logger: Logger
    let clock: @Sendable () -> Double
    let state: Locked<EngineState>
    let startedAt: Double

    let alerts: AlertRunner
    let reloadObserver = Locked<ReloadObserver?>(nil)
    /// Told after each batch the record commits (the service manager's status line follows them).
    let commitObservers = Locked<[@Sendable () -> Void]>([])
    /// Told of every notice, in order (the live feeds).
    let noticeObservers = Locked<[@Sendable (EngineNotice) -> Void]>([])
    /// Rung when a supervisor's deadline may have come nearer.
    let deadlines = DeadlineBell()
    /// Hears what was decided and recorded, after the lock is released (the metrics endpoint).
    let meter: any EngineMeter
    /// Tells how this node stands with the shared record, for a node of a cluster.
    let sharedRecordReporter = Locked<(@Sendable () -> SharedRecordReport)?>(nil)
    /// Walks the shared record's chain, for a node of a cluster (`verify`).
    let sharedRecordVerifier = Locked<(@Sendable () async throws -> ChainReport)?>(nil)
    /// Reads a page of the shared record's chain, for a node of a cluster (`export` with `shared`).
    let sharedRecordExporter = Locked<(@Sendable (_ after: Int64?, _ limit: Int) async throws -> ExportPage)?>(nil)

    /// Builds the engine and loads every caller's history, and the calls that were open, from the
    /// record.
    /// - Parameter maximumOpenCalls: calls followed at once; past it the oldest are let go.
    /// - Parameter meter: told of decisions, incidents and ladder answers (default: nothing is
    ///   measured).
    public init(
        store: RecordStore, policy: LoadedPolicy, logger: Logger, maximumOpenCalls: Int = 50_000,
        meter: (any EngineMeter)? = nil,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) throws {
        self.store = store
        self.logger = logger
        self.clock = clock
        let meter = meter ?? NoMeter()
        self.meter = meter
        alerts = AlertRunner(logger: logger, meter: meter)
        startedAt = clock()
        var index = try HistoryIndex.load(from: store, policy: policy.policy, now: clock())
        index.agents.prune(now: clock(), policy: policy.policy)
        var calls = OpenCalls(capacity: maximumOpenCalls)
        for call in index.openCalls.sorted(by: { $0.openedAt < $1.openedAt }) {
            calls[call.id] = call
        }
        let (supervision, lapsed) = index.pendingSupervision(policy: policy.policy, now: startedAt)
        var initial = EngineState(
            policy: policy, histories: index.histories, incidentCount: index.incidents, calls: calls, nextID: store.nextID,
            exemptions: index.exemptions, agents: index.agents, supervision: supervision)
        initial.policyMeter = meter.meter(for: policy.policy)
        initial.peerThrough = index.peerThrough
        state = Locked(initial)
        store.onBatchOutcome { [weak self] outcome in self?.batch(outcome) }
        if !index.openCalls.isEmpty {
            logger.notice("Resumed \(index.openCalls.count) call(s) that were open when callwardend last stopped")
        }
        if !supervision.isEmpty || lapsed > 0 {
            logger.notice("Resumed \(supervision.count) pending supervisor request(s); \(lapsed) more had passed their deadline (the ladder authorises their hang-up)")
        }
    }

    /// The policy in force.
    public var policy: LoadedPolicy { state.withLock { $0.policy } }

    /// `at` from an event, or now.
    func time(_ at: Double?) -> Double { at ?? clock() }

    /// Runs one write command on the state and queues its entries, under one lock. A step the
    /// record refuses at once (the writer has stopped) is taken back before the lock is let go.
    /// A step whose entries hold a value the record cannot keep exactly is taken back too, and the
    /// ticket says why; the wire refuses such values first, so this is the last line of defence.
    func perform<Outcome, Failure: Error>(_ command: (inout EngineState) throws(Failure) -> Step<Outcome>) throws(Failure) -> (Outcome, CommitTicket?) {
        let (outcome, ticket, notices) = try state.withLock { state throws(Failure) -> (Outcome, CommitTicket?, [EngineNotice]) in
            state.nextID = store.nextID
            let step = try command(&state)
            guard !step.entries.isEmpty else { return (step.outcome, nil, state.takeReadyNotices()) }
            let ticket = store.enqueue(step.entries, firstID: step.firstID)
            if ticket.isRefused {
                state.rollBack(from: step.firstID)
                state.nextID = store.nextID
            }
            return (step.outcome, ticket, state.takeReadyNotices())
        }
        send(notices)
        return (outcome, ticket)
    }

    /// Hears of every batch the record commits, after memory has taken it as final. Called on the
    /// record's writer: keep it short (signal, do not work).
    public func observeCommits(_ observer: @escaping @Sendable () -> Void) {
        commitObservers.withLock { $0.append(observer) }
    }

    /// Keeps memory true to the record as each batch lands or fails.
    private func batch(_ outcome: BatchOutcome) {
        switch outcome {
        case .committed(let id):
            let (recovered, notices) = state.withLock { state -> (Degraded?, [EngineNotice]) in
                let was = state.degraded
                state.committed(through: id)
                return (was, state.takeReadyNotices())
            }
            for observer in commitObservers.withLock({ $0 }) { observer() }
            // The writer commits in id order and tells of each batch in turn: notices leave in
            // the record's order, each after what caused it is durable.
            send(notices)
            if let recovered {
                logger.notice("The record is writable again; \(recovered.failedWrites) write(s) were refused while it was not", metadata: [
                    LogEvent.metadataKey: LogEvent.recordRecovered.metadataValue,
                ])
            }
        case .failed(let id):
            let (failed, first) = state.withLock { state -> (Int, Bool) in
                // Everything queued behind the failed batch was decided on a memory that held it.
                let behind = store.failPending()
                state.rollBack(from: id)
                state.nextID = store.nextID
                let first = state.degraded == nil
                if state.degraded == nil { state.degraded = Degraded(since: clock(), failedWrites: 0) }
                state.degraded?.failedWrites += 1 + behind
                return (1 + behind, first)
            }
            if first {
                logger.critical("The record cannot be written: writes are answered unavailable while commits fail, and routing goes on from memory; the first commit that lands ends this", metadata: [
                    LogEvent.metadataKey: LogEvent.recordDegraded.metadataValue, "failed": .string(String(failed)),
                ])
            }
        }
    }
}
