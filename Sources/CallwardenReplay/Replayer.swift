import CallwardenCore
import CallwardenStore

/// The replay itself, pure: entries in, in record order; a `ReplayReport` out. It keeps each
/// caller's history as the engine would have (incidents, forgiveness, calm calls), and at every
/// decision point decides under both policies:
///
/// - each recorded call dated at or after `since` (its `call_start`, or its first entry with a
///   call id when it has none), routed with the caller's history as it stood when the call was
///   offered, and each of its hang-up requests, answered through the ladder;
/// - "now", for every caller with a history.
///
/// Incidents are the recorded ones: the candidate's detection rules are not run (the short calls
/// they count are not in the record).
public struct Replayer {
    public let live: Policy
    public let candidate: Policy
    public let since: Double?
    public let now: Double

    private var histories: ReplayHistories
    private var exemptions = ReplayExemptions()
    private var calls: [String: ReplayedCall] = [:]
    private var atCalls = DecisionTally()
    private var hangups = HangupTally()
    private var rules: RuleTally
    private var entries = 0
    private var replayedCalls = 0

    public init(live: Policy, candidate: Policy, since: Double?, now: Double) {
        self.live = live
        self.candidate = candidate
        self.since = since
        self.now = now
        histories = ReplayHistories(live: live, candidate: candidate)
        rules = RuleTally(candidate: candidate)
    }

    /// The entry types the replay reads (every type but purges, whose deletions are already gone).
    public static let entryTypes: [EntryType] = EntryType.allCases.filter { $0 != .purge }

    /// Folds one entry in; entries must come in id order.
    public mutating func apply(_ stored: StoredEntry) {
        entries += 1
        let entry = stored.entry
        if let id = entry.call { follow(call: id, entry) }
        switch entry.type {
        case .incident:
            if let id = entry.call, let kind = entry.kind { calls[id]?.recordAbuse(at: entry.at, kind: kind) }
            histories.addIncident(id: stored.id, entry)
        case .forgiveness:
            histories.forgive(entry)
        case .warning:
            if let id = entry.call { calls[id]?.recordWarning(at: entry.at) }
        case .verdict:
            if let id = entry.call { calls[id]?.recordVerdict(at: entry.at, entry.outcome == "approve" ? .approve : .deny) }
        case .hangupRequest:
            if let id = entry.call { hangupRequest(call: id, at: entry.at) }
        case .callEnd:
            histories.credit(resolvedCall: entry)
            if let id = entry.call { calls[id] = nil }
        case .callStart, .purge:
            break
        // Exemption, exemption-end and review entries go to `exemptions.apply(stored)` and
        // `histories.applyMarks(entry)` (PolicyFeatures.swift).
        }
    }

    /// Routes every caller with a history as of `now`, and gives the report (its `seconds` is
    /// left for whoever timed the run).
    public func finish() -> ReplayReport {
        var atNow = DecisionTally()
        var rules = rules
        for (key, history) in histories.byCaller where !history.isEmpty {
            let caller = Caller.known(key)
            let (old, new) = decide(PolicyFeatures.context(caller: caller), history: history, at: now)
            rules.add(new)
            atNow.add(old, new, caller: key)
        }
        return ReplayReport(
            since: since, now: now, entries: entries, calls: replayedCalls, callersNow: atNow.decisions,
            atCalls: atCalls.changes, atNow: atNow.changes, hangups: hangups.changes,
            callersChanged: atCalls.changedCallers.union(atNow.changedCallers).count,
            neverDecided: rules.neverDecided, shadowMatches: rules.shadowCounts,
            unreachable: PolicyFeatures.unreachableRules(of: candidate), seconds: 0)
    }

    /// A call's entry: a `call_start` begins the call (a call id may be used again after its
    /// end); any other entry begins it only when it is not already followed.
    private mutating func follow(call id: String, _ entry: NewEntry) {
        guard entry.type == .callStart || calls[id] == nil else { return }
        let caller = entry.caller.map(Caller.known) ?? .anonymous
        let compared = since.map { entry.at >= $0 } ?? true
        calls[id] = ReplayedCall(caller: caller, compared: compared)
        guard compared else { return }
        replayedCalls += 1
        let history = caller.key.flatMap { histories.history(of: $0, offeredAt: entry.at) } ?? CallerHistory()
        let (old, new) = decide(PolicyFeatures.context(caller: caller, entry: entry), history: history, at: entry.at)
        rules.add(new)
        atCalls.add(old, new, caller: caller.display)
    }

    private mutating func hangupRequest(call id: String, at: Double) {
        guard var call = calls[id] else { return }
        calls[id] = nil  // out while it changes: its ladders' arrays are not copied
        let (old, new) = call.hangupRequest(at: at, live: live, candidate: candidate)
        if call.compared { hangups.add(old, new, call: id, caller: call.caller.display, at: at) }
        calls[id] = call
    }

    private func decide(_ context: CallContext, history: CallerHistory, at: Double) -> (RouteDecision, RouteDecision) {
        let exemption = exemptions.exemption(for: context.caller, at: at)
        return (
            PolicyFeatures.route(live, context, history: history, at: at, exemption: exemption),
            PolicyFeatures.route(candidate, context, history: history, at: at, exemption: exemption)
        )
    }
}
