import CallwardenCore
import CallwardenRecord
import CallwardenStore
import Logging
import Synchronization

extension Engine {
    /// Walks the record's hash chain (`verify`).
    public func verifyRecord() async throws(EngineError) -> ChainReport {
        // Whatever was acknowledged before this request is in the walk.
        await store.barrier()
        let report: ChainReport
        do {
            report = try await store.verify()
        } catch {
            throw unreadableRecord(error, during: "verify")
        }
        if let problem = report.problem {
            logger.error("The record does not verify: \(problem)", metadata: ["entry": .string(String(problem.entry)), "problem": .string(problem.kind.rawValue)])
        }
        return report
    }

    /// One page of the record with its hashes (`export`).
    /// - Parameter presented: a caller as presented; normalised by the policy's numbering plan.
    public func exportRecord(caller presented: String?, since: Double?, after: Int64?, limit: Int?) async throws(EngineError) -> ExportPage {
        var key: String?
        if let presented {
            guard let known = policy.policy.numbering.normalise(presented).key else {
                throw .badRequest("the anonymous class has no record of its own to export")
            }
            key = known
        }
        // The first page waits for writes queued before the request (a client may pipeline a
        // write and then `export`); later pages do not: each waited behind the writer's queue,
        // a commit cycle per page under load, for nothing the first page had not settled.
        if after == nil { await store.barrier() }
        do {
            return try await store.exportPage(caller: key, since: since, after: after, limit: limit ?? 500)
        } catch {
            throw unreadableRecord(error, during: "export")
        }
    }

    /// What a client is told when the record cannot be read: what is wrong with a damaged record
    /// (it names a column and a value, for the administrator who asked); for anything else only
    /// that it failed, the error itself going to the journal.
    private func unreadableRecord(_ error: any Error, during request: String) -> EngineError {
        logger.error("The record could not be read for \(request): \(error)")
        if case StoreError.corrupt(_, let detail) = error {
            return .unavailable("the record holds a value callwarden could not have written (\(detail)): it was edited or damaged; keep the file for investigation")
        }
        return .unavailable("the record cannot be read just now; the daemon's journal says why")
    }

    /// Applies the policy's retention now: deletes forgiven and faded incidents past their limits
    /// and records each deletion as a `purge` entry that keeps the chain verifiable.
    /// - Parameter by: who asked (`uid 0`), or `retention` for the daily run.
    public func purge(by: String) async throws(EngineError) -> PurgeOutcome {
        let now = clock()
        let policy = policy.policy
        var outcome = PurgeOutcome()
        guard policy.retention.forgiven != nil || policy.retention.faded != nil else {
            outcome.retentionSet = false
            return outcome
        }
        guard store.beginPurge() else { throw .unavailable("a purge is already running; try again when it has finished") }
        defer { store.endPurge() }
        let reason = Self.describe(policy.retention)
        do {
            // Bounded: a backlog larger than this is finished by the next run.
            for _ in 0..<100 {
                let candidates = try await store.purgeCandidates(policy: policy, now: now)
                if candidates.isEmpty { break }
                let template = NewEntry(type: .purge, at: now, rule: "retention", by: by)
                let stored = try await store.enqueuePurge(incidents: candidates, reason: reason, template: template).wait()
                guard let entry = stored.first, let note = entry.entry.note.flatMap(PurgeNote.init(text:)) else { break }
                let gone = Set(note.purged)
                let incidents = candidates.filter(gone.contains)
                forget(incidents: Set(incidents))
                outcome.entries.append(entry.id)
                outcome.purged.append(contentsOf: note.purged)
                outcome.incidents += incidents.count
                if candidates.count < RecordStore.maximumPurge { break }
            }
        } catch {
            throw .unavailable("the purge could not be recorded (\(error)); nothing more was deleted")
        }
        if !outcome.purged.isEmpty {
            logger.notice("Purged \(outcome.purged.count) entries (\(outcome.incidents) incidents) under the retention policy", metadata: [
                "purge": .string(outcome.entries.map(String.init).joined(separator: ",")), "by": .string(by),
            ])
        }
        return outcome
    }

    /// Drops purged incidents from the in-memory histories, so standing matches the record.
    private func forget(incidents ids: Set<Int64>) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            for key in Array(state.histories.keys) {
                guard var history = state.histories[key], history.incidents.contains(where: { ids.contains($0.id) }) else { continue }
                history.incidents.removeAll { ids.contains($0.id) }
                state.histories[key] = history.isEmpty ? nil : history
            }
            // Counted from the ids, not the histories: the anonymous class's incidents are in none.
            state.incidentCount = max(0, state.incidentCount - ids.count)
        }
    }

    private static func describe(_ retention: RetentionRules) -> String {
        var parts: [String] = []
        if let forgiven = retention.forgiven { parts.append("forgiven over \(days(forgiven)) ago") }
        if let faded = retention.faded { parts.append("older than \(days(faded)) and weighing under \(retention.fadedBelow)") }
        return "retention: incidents " + parts.joined(separator: ", or ")
    }

    private static func days(_ seconds: Double) -> String {
        seconds >= 86_400 ? "\(Int((seconds / 86_400).rounded()))d" : "\(Int(seconds))s"
    }
}
