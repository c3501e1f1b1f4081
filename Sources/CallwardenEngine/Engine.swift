import CallwardenCore
import CallwardenStore
import Foundation
import Logging
import Synchronization

/// Where the pure core meets the durable record: holds the policy in force, every tracked caller's
/// history summary (so that routing never reads the disk) and the calls in progress.
///
/// Decisions are made under one short lock over in-memory state. A write is queued for the record
/// and applied to memory under that lock, so the next request already sees it; its answer waits
/// for the durable commit, so nothing is acknowledged that a crash could lose.
public final class Engine: Sendable {
    let store: RecordStore
    let logger: Logger
    let clock: @Sendable () -> Double
    let state: Mutex<EngineState>
    let startedAt: Double

    let alerts: AlertRunner
    let reloadObserver = Mutex<ReloadObserver?>(nil)

    /// Builds the engine and loads every caller's history, and the calls that were open, from the
    /// record.
    /// - Parameter maximumOpenCalls: calls followed at once; past it the oldest are let go.
    public init(
        store: RecordStore, policy: LoadedPolicy, logger: Logger, maximumOpenCalls: Int = 50_000,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) throws {
        self.store = store
        self.logger = logger
        self.clock = clock
        alerts = AlertRunner(logger: logger)
        startedAt = clock()
        let index = try HistoryIndex.load(from: store)
        var calls = OpenCalls(capacity: maximumOpenCalls)
        for call in index.openCalls.sorted(by: { $0.offeredAt < $1.offeredAt }) {
            calls[call.id] = call
        }
        state = Mutex(EngineState(policy: policy, histories: index.histories, incidentCount: index.incidents, calls: calls))
        store.onCommitFailure { [weak self] in self?.rebuildFromRecord() }
        if !index.openCalls.isEmpty {
            logger.notice("Resumed \(index.openCalls.count) call(s) that were open when callwardend last stopped")
        }
    }

    /// The policy in force.
    public var policy: LoadedPolicy { state.withLock { $0.policy } }

    /// `at` from an event, or now.
    func time(_ at: Double?) -> Double { at ?? clock() }
}

/// Everything the engine keeps in memory, guarded by one lock.
struct EngineState {
    var policy: LoadedPolicy
    /// Tracked callers' history summaries by normalised number. Callers with no history are absent.
    var histories: [String: CallerHistory]
    var incidentCount: Int
    var counters = Counters()
    var calls: OpenCalls
    var detector = ShortCallDetector()
    /// The first error of the last refused reload, until a reload succeeds.
    var lastRejection: String?

    func history(of caller: Caller) -> CallerHistory {
        caller.key.flatMap { histories[$0] } ?? CallerHistory()
    }
}

/// What `status` reports of the traffic since start.
struct Counters {
    var requests: [String: Int] = [:]
    var routes: [String: Int] = [:]
    var errors: [String: Int] = [:]
}
