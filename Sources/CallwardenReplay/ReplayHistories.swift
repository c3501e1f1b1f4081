import CallwardenCore
import CallwardenStore

/// Every caller's history as the engine would have held it at each point of the record: the
/// same summary (`CallerHistory`) built by the same rules as the daemon's start-up index, one
/// entry at a time, so that a decision replayed at a recorded call sees what the daemon saw.
struct ReplayHistories {
    /// Resolved calls kept per caller at most, as the engine keeps them: past this many, the
    /// oldest credit goes (it has long decayed, and a record cannot grow a caller without end).
    static let maximumCredits = 64

    private(set) var byCaller: [String: CallerHistory] = [:]
    /// After this many seconds a calm call's credit has decayed to nothing under both policies.
    let creditHorizon: Double

    init(live: Policy, candidate: Policy) {
        // 32 half-lives: under a billionth of the credit, as the engine judges it.
        creditHorizon = 32 * max(live.standing.creditHalfLife, candidate.standing.creditHalfLife)
    }

    /// The caller's history as it stood at a call offered at `at`. Entries recorded before the
    /// call's `call_start` may be dated after the call was offered (the start is written with the
    /// call's first ladder step): those happened during the call, not before it, and are left out,
    /// a person's review decision and a forgiveness's grace window among them.
    func history(of caller: String, offeredAt at: Double) -> CallerHistory? {
        guard let history = byCaller[caller] else { return nil }
        let later = history.incidents.contains { $0.at > at } || history.resolvedCalls.contains { $0 > at }
            || history.review.renewedAt.map { $0 > at } == true || history.review.endedAt.map { $0 > at } == true
            || history.grace.map { $0.from > at } == true
        guard later else { return history }
        var before = history
        before.incidents.removeAll { $0.at > at }
        before.resolvedCalls.removeAll { $0 > at }
        if let renewed = before.review.renewedAt, renewed > at { before.review.renewedAt = nil }
        if let ended = before.review.endedAt, ended > at { before.review.endedAt = nil }
        if let grace = before.grace, grace.from > at { before.grace = nil }
        return before
    }

    mutating func addIncident(id: Int64, _ entry: NewEntry) {
        guard let caller = entry.caller, let kind = entry.kind else { return }
        byCaller[caller, default: CallerHistory()].incidents.append(PolicyFeatures.incident(id: id, kind: kind, entry: entry))
    }

    mutating func forgive(_ entry: NewEntry) {
        byCaller.applyForgiveness(entry)
    }

    /// A call that ended `resolved` counts in the caller's favour once they have a history.
    mutating func credit(resolvedCall entry: NewEntry) {
        guard entry.outcome == "resolved", let caller = entry.caller, var history = byCaller[caller] else { return }
        // Taken out while it is changed, so the arrays are not copied on write.
        byCaller[caller] = nil
        history.resolvedCalls.removeAll { entry.at - $0 > creditHorizon }
        if history.resolvedCalls.count >= Self.maximumCredits { history.resolvedCalls.removeFirst() }
        history.resolvedCalls.append(entry.at)
        byCaller[caller] = history
    }

    /// A person's decision on a caller's restriction under review (`review` entries).
    mutating func applyMarks(_ entry: NewEntry) {
        guard let caller = entry.caller else { return }
        byCaller[caller]?.applyMarks(of: entry)
    }
}
