import CLinuxShims
import CallwardenEngine
import CallwardenProtocol
import CallwardenStore
import Foundation

/// Runs `report`: reads the record for a period and counts what it holds (`RecordReport`).
///
/// One report at a time, on a thread of its own rather than on an event loop or Swift's
/// cooperative pool, at a lower priority (nice 10) than the threads that route calls: a report
/// reads every entry of its period (a year of a large centre's record is millions of entries)
/// and must never hold up answers meanwhile. It reads through a read transaction, so the writer
/// goes on committing, and takes no lock of the engine's.
final class RecordReporter: Sendable {
    private let engine: Engine
    private let gate = OneAtATime()

    /// The report thread's nice value, as a policy test's.
    static let nice: Int32 = 10

    init(engine: Engine) {
        self.engine = engine
    }

    func report(since: Double?) async -> Result<RecordReport, ProtocolError> {
        guard gate.tryStart() else {
            return .failure(ProtocolError(.unavailable, "a report is already running; try again when it has finished"))
        }
        // Whatever was acknowledged before this request is in the report.
        await engine.committed()
        let now = engine.now()
        return await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                _ = callwarden_lower_thread_priority(Self.nice)
                let result: Result<RecordReport, ProtocolError>
                do throws(EngineError) {
                    result = .success(try engine.recordReport(since: since, now: now))
                } catch {
                    result = .failure(RequestHandler.protocolError(error))
                }
                gate.finished()
                continuation.resume(returning: result)
            }
            thread.name = "callwarden report"
            thread.start()
        }
    }
}
