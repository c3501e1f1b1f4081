import CallwardenLocking
import CallwardenCore
import CallwardenRecord
import CallwardenStore
import Logging

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
            // Each batch resumes after the last one's candidates: rows before them either went
            // with that batch or do not qualify at this `now`.
            var after: Int64 = 0
            for _ in 0..<100 {
                // Candidates are read from a snapshot, off the engine's lock; only queueing the
                // purge entry and forgetting what it deleted take the lock, briefly.
                let candidates = try await store.purgeCandidatesWithCallers(policy: policy, now: now, after: after)
                guard let last = candidates.last else { break }
                after = last.id
                let template = NewEntry(type: .purge, at: now, rule: "retention", by: by)
                let ticket = state.withLock { _ in
                    store.enqueuePurge(incidents: candidates.map(\.id), reason: reason, template: template, firstID: store.nextID)
                }
                let stored = try await ticket.wait()
                guard let entry = stored.first, let note = entry.entry.note.flatMap(PurgeNote.init(text:)) else { break }
                let gone = Set(note.purged)
                let incidents = candidates.filter { gone.contains($0.id) }
                forget(incidents)
                outcome.entries.append(entry.id)
                outcome.purged.append(contentsOf: note.purged)
                outcome.incidents += incidents.count
                if candidates.count < RecordStore.maximumPurge { break }
            }
        } catch {
            logger.error("A purge could not be recorded: \(error)")
            throw .unavailable("the purge could not be recorded; nothing more was deleted. The journal has the reason")
        }
        if !outcome.purged.isEmpty {
            logger.notice("Purged \(outcome.purged.count) entries (\(outcome.incidents) incidents) under the retention policy", metadata: [
                "purge": .string(outcome.entries.map(String.init).joined(separator: ",")), "by": .string(by),
            ])
        }
        return outcome
    }

    /// Drops purged incidents from memory, a slice at a time, so that routing never waits long
    /// behind a purge.
    private func forget(_ incidents: [PurgeCandidate]) {
        var rest = incidents[...]
        while !rest.isEmpty {
            let slice = rest.prefix(Self.forgetSlice)
            rest = rest.dropFirst(slice.count)
            state.withLock { $0.forget(Array(slice)) }
        }
    }

    /// Incidents forgotten per turn of the engine's lock.
    static let forgetSlice = 64

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
