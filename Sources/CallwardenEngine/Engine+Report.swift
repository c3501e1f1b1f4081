import CallwardenStore
import Logging

extension Engine {
    /// Returns once every write queued so far is committed (or has failed), so that a read of the
    /// record that follows holds everything acknowledged before it.
    public func committed() async {
        await store.barrier()
    }

    /// What the record says of the period from `since` (the whole record when nil) up to `now`:
    /// incidents, hang-up answers, supervisors' verdicts, forgiveness, exemptions, reviews and
    /// call ends (`RecordReport`). One streaming pass in a read transaction: it takes neither the
    /// engine's lock nor the writer's turn, but it reads the period's entries, so it blocks the
    /// calling thread for up to seconds on a large record: run it on a thread of its own.
    public func recordReport(since: Double?, now: Double) throws(EngineError) -> RecordReport {
        do {
            let report = try RecordReport.read(store: store, since: since, now: now)
            logger.info("Report over \(report.entries) entries in \((report.seconds * 100).rounded() / 100) s")
            return report
        } catch StoreError.corrupt(_, let detail) {
            logger.error("The record could not be read for a report: \(detail)")
            throw .unavailable("the record holds a value callwarden could not have written (\(detail)): it was edited or damaged; keep the file for investigation")
        } catch {
            logger.error("The record could not be read for a report: \(error)")
            throw .unavailable("the record cannot be read just now; the daemon's journal says why")
        }
    }
}
