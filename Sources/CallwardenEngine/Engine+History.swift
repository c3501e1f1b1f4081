import CallwardenCore
import CallwardenLocking
import CallwardenStore
import Logging

/// `history`'s answer: the standing, one page of incidents with their forgiveness, and the story
/// of each call that began within the page, from the record.
public struct HistoryReport: Sendable {
    public struct Incident: Sendable {
        public var id: Int64
        public var at: Double
        public var kind: String
        public var call: String?
        public var agent: String?
        public var note: String?
        public var recordedBy: String?
        public var rule: String?
        public var weightNow: Double
        public var forgiveness: Forgiveness?
    }

    public struct Forgiveness: Sendable {
        public var at: Double
        public var reason: String
        public var by: String?
    }

    public var caller: Caller
    public var standing: Standing
    /// This page's incidents, oldest id first.
    public var incidents: [Incident]
    /// The caller's calls whose first entry lies within this page's span (ids above `after`, up
    /// to `next` when more follow), each with its steps in order; oldest first.
    public var calls: [CallStory] = []
    /// The last id on this page when more follow (send it as `after`); nil on the last page.
    public var next: Int64?
}

extension Engine {
    /// A caller's standing and one page of their incidents: ids above `after`, at most `limit`,
    /// with the story of every call of theirs that began within the page. With `at`, as of that
    /// time: incidents and steps dated after it are left out and weights decay to it; forgiveness
    /// is as it stands now.
    public func history(caller presented: String, at: Double?, after: Int64? = nil, limit: Int = 100) async throws(EngineError) -> HistoryReport {
        let now = time(at)
        let (caller, policy) = state.withLock { state in
            (state.policy.policy.numbering.normalise(presented), state.policy.policy)
        }
        guard let key = caller.key else {
            return HistoryReport(caller: caller, standing: .clean, incidents: [], next: nil)
        }
        // Whatever this or any connection queued before must be in the answer.
        await store.barrier()
        let asOf = at == nil ? nil : now
        let page: HistoryPage
        do {
            page = try await store.historyPage(caller: key, after: after ?? 0, asOf: asOf, limit: limit)
        } catch {
            logger.error("history could not read the record: \(error)")
            throw .unavailable("the record cannot be read; retry later")
        }
        var forgiveness: [Int64: HistoryReport.Forgiveness] = [:]
        for stored in page.forgiveness {
            if let ref = stored.entry.ref {
                forgiveness[ref] = .init(at: stored.entry.at, reason: stored.entry.note ?? "", by: stored.entry.by)
            }
        }
        let incidents = page.incidents.map { stored in
            let entry = stored.entry
            let forgiven = forgiveness[stored.id]
            return HistoryReport.Incident(
                id: stored.id, at: entry.at, kind: entry.kind ?? "", call: entry.call, agent: entry.agent, note: entry.note,
                recordedBy: entry.by, rule: entry.rule,
                weightNow: forgiven == nil ? policy.decayedWeight(kind: entry.kind ?? "", at: entry.at, now: now) : 0,
                forgiveness: forgiven)
        }
        let standing = state.withLock { state in
            let history = state.history(of: caller)
            return state.policy.policy.standing(of: at == nil ? history : history.asOf(now), at: now)
        }
        let calls = CallStory.stories(in: page.callEntries, beginningIn: page.span, asOf: asOf)
        let next = page.more ? page.incidents.last?.id : nil
        return HistoryReport(caller: caller, standing: standing, incidents: incidents, calls: calls, next: next)
    }
}
