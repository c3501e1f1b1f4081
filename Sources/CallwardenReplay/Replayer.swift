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
    private var exemptions = ExemptionRegister()
    private var calls: [String: ReplayedCall] = [:]
    private var atCalls = DecisionTally(examples: .firstMet)
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
        // The call first: a call's decision point sees the history from before its own entries.
        if let id = entry.call { apply(entry, toCall: id) }
        switch entry.type {
        case .incident:
            histories.addIncident(id: stored.id, entry)
        case .forgiveness:
            histories.forgive(entry)
        case .callEnd:
            histories.credit(resolvedCall: entry)
        case .review:
            histories.applyMarks(entry)
        case .exemption, .exemptionEnd:
            exemptions.apply(stored)
        case .callStart, .warning, .verdict, .hangupRequest, .purge:
            break
        }
    }

    /// A ladder step of a call. A `call_start` begins the call (a call id may be used again
    /// after its end); any other entry begins it only when it is not already followed. The
    /// call is changed where it lies in the dictionary: one lookup per entry.
    private mutating func apply(_ entry: NewEntry, toCall id: String) {
        var place = calls.index(forKey: id)
        if entry.type == .callStart || place == nil {
            begin(call: id, entry)
            guard entry.type != .callStart else { return }
            place = calls.index(forKey: id)
        }
        guard let place else { return }
        switch entry.type {
        case .incident:
            if let kind = entry.kind { calls.values[place].recordAbuse(at: entry.at, kind: kind) }
        case .warning:
            calls.values[place].recordWarning(at: entry.at)
        case .verdict:
            calls.values[place].recordVerdict(at: entry.at, entry.outcome == "approve" ? .approve : .deny)
        case .hangupRequest:
            let (old, new) = calls.values[place].hangupRequest(at: entry.at, live: live, candidate: candidate)
            let call = calls.values[place]
            if call.compared { hangups.add(old, new, call: id, caller: call.caller.display, at: entry.at) }
        case .callEnd:
            calls.remove(at: place)
        case .callStart, .forgiveness, .purge, .exemption, .exemptionEnd, .review:
            break
        }
    }

    /// Routes every caller with a history as of `now`, and gives the report (its `seconds` is
    /// left for whoever timed the run).
    public func finish() -> ReplayReport {
        finish(workers: 1)
    }

    /// `finish()`, the "now" decision points shared out over `workers` threads (this one and
    /// `workers - 1` more, each started with `threadSetup`).
    public func finish(workers: Int, threadSetup: @escaping @Sendable () -> Void = {}) -> ReplayReport {
        let callers = histories.byCaller
        let live = live, candidate = candidate, now = now, exemptions = exemptions
        let shares = Parallel.run(workers: workers, count: callers.count, threadSetup: threadSetup) { range in
            var atNow = DecisionTally(examples: .smallest)
            var rules = RuleTally(candidate: candidate)
            let first = callers.index(callers.startIndex, offsetBy: range.lowerBound)
            let last = callers.index(first, offsetBy: range.count)
            for (key, history) in callers[first..<last] where !history.isEmpty {
                let (old, new) = Self.decide(PolicyFeatures.context(caller: .known(key)), history: history, at: now, live: live, candidate: candidate, exemptions: exemptions)
                rules.add(new)
                atNow.add(old, new, caller: key)
            }
            return (atNow, rules)
        }
        var atNow = DecisionTally(examples: .smallest)
        var rules = rules
        for (tally, ruleTally) in shares {
            atNow.merge(tally)
            rules.merge(ruleTally)
        }
        return ReplayReport(
            since: since, now: now, entries: entries, calls: replayedCalls, callersNow: atNow.decisions,
            atCalls: atCalls.changes, atNow: atNow.changes, hangups: hangups.changes,
            callersChanged: atCalls.changedCallers.union(atNow.changedCallers).count,
            neverDecided: rules.neverDecided, shadowMatches: rules.shadowCounts,
            unreachable: PolicyFeatures.unreachableRules(of: candidate), seconds: 0)
    }

    /// A recorded call's decision point: routed with the caller's history as it stood when the
    /// call was offered, if the call is dated at or after `since`.
    private mutating func begin(call id: String, _ entry: NewEntry) {
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

    private func decide(_ context: CallContext, history: CallerHistory, at: Double) -> (RouteDecision, RouteDecision) {
        Self.decide(context, history: history, at: at, live: live, candidate: candidate, exemptions: exemptions)
    }

    private static func decide(
        _ context: CallContext, history: CallerHistory, at: Double, live: Policy, candidate: Policy, exemptions: ExemptionRegister
    ) -> (RouteDecision, RouteDecision) {
        let exemption = exemptions.exemption(for: context.caller, at: at)
        return (
            PolicyFeatures.route(live, context, history: history, at: at, exemption: exemption),
            PolicyFeatures.route(candidate, context, history: history, at: at, exemption: exemption)
        )
    }
}
