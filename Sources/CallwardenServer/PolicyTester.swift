import CLinuxShims
import CallwardenCore
import CallwardenEngine
import CallwardenProtocol
import CallwardenReplay
import CallwardenStore
import Foundation
import Logging

/// Runs `policy.test`: replays the record through a candidate policy beside the live one
/// (`PolicyReplay`), changing neither.
///
/// One test at a time, on threads of its own rather than on an event loop or Swift's cooperative
/// pool: a replay reads the whole record and takes seconds, and either of those would hold up the
/// answers of other connections meanwhile. Its two threads (one reads the record while the other
/// replays) run at a lower priority (nice 10) than the threads that route calls, so that a test
/// gives way to routing on a busy machine.
public final class PolicyTester: Sendable {
    private let store: RecordStore
    private let engine: Engine
    private let logger: Logger
    private let gate = OneAtATime()

    /// The replay thread's nice value.
    static let nice: Int32 = 10

    public init(store: RecordStore, engine: Engine, logger: Logger) {
        self.store = store
        self.engine = engine
        self.logger = logger
    }

    /// What a finished test answers: the report, and which two policies it compared.
    struct Outcome: Sendable {
        var report: ReplayReport
        var live: LoadedPolicy
        var candidate: String
    }

    enum Failure: Error {
        /// The candidate does not parse: every error, file:line, as a reload reports them.
        case invalid(PolicyErrors)
        case refused(ProtocolError)
    }

    /// Parses the candidate (the reload's parser and bounds) and replays the record through it.
    /// - Parameter path: how the client names the candidate file, for its error messages.
    func test(policy text: String, path: String?, since: Double?) async -> Result<Outcome, Failure> {
        guard gate.tryStart() else {
            return .failure(.refused(ProtocolError(.unavailable, "a policy test is already running; try again when it has finished")))
        }
        // Whatever was acknowledged before this request is in the replay.
        await store.barrier()
        let live = engine.policy
        let now = engine.now()
        return await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                _ = callwarden_lower_thread_priority(Self.nice)
                let result = run(text: text, file: path ?? "candidate", since: since, live: live, now: now)
                gate.finished()
                // The replay's histories are gone: give their pages back rather than keep the peak.
                _ = callwarden_release_free_memory()
                continuation.resume(returning: result)
            }
            thread.name = "callwarden policy test"
            thread.start()
        }
    }

    private func run(text: String, file: String, since: Double?, live: LoadedPolicy, now: Double) -> Result<Outcome, Failure> {
        let candidate: Policy
        do {
            candidate = try PolicyParser.parse(text, file: file)
        } catch {
            return .failure(.invalid(error))
        }
        do {
            let report = try PolicyReplay.run(store: store, live: live.policy, candidate: candidate, since: since, now: now) {
                _ = callwarden_lower_thread_priority(Self.nice)
            }
            logger.info("Policy test of \(candidate.name) beside \(live.policy.name) (\(live.hash)): \(report.changed ? "changes" : "no change") over \(report.entries) entries in \(String(format: "%.2f", report.seconds)) s")
            return .success(Outcome(report: report, live: live, candidate: candidate.name))
        } catch {
            logger.error("The record could not be read for a policy test: \(error)")
            if case StoreError.corrupt(_, let detail) = error {
                return .failure(.refused(ProtocolError(.unavailable, "the record holds a value callwarden could not have written (\(detail)): it was edited or damaged; keep the file for investigation")))
            }
            return .failure(.refused(ProtocolError(.unavailable, "the record cannot be read just now; the daemon's journal says why")))
        }
    }
}
