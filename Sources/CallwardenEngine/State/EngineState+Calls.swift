import CallwardenCore
import CallwardenStore

/// What closing calls by the daemon decided: the calls, and whether any was recorded.
struct SystemClose {
    var calls: Int
    var recorded: Int
}

/// A new call's decision, with the caller as normalised.
public struct RoutedCall: Sendable {
    public var caller: Caller
    public var decision: RouteDecision
}

/// The ladder inside a call (docs/ladder.md), as steps on the engine's state.
extension EngineState {
    /// Decides where a new call goes and starts following it. Calls evicted to stay within
    /// capacity are closed by the daemon, and recorded when their ladder had begun.
    /// - Parameter opened: the daemon's own clock, by which open calls expire.
    /// - Parameter trust: what the switch said of the caller id; nil when it said nothing.
    mutating func offerCall(call: String, caller: Caller, dialed: String?, trust: CallerIDTrust? = nil, now: Double, opened: Double) -> Step<RoutedCall> {
        let context = CallContext(caller: caller, dialed: dialed, trust: trust ?? .none)
        let decision = policy.policy.route(context, history: history(of: caller), at: now, exemption: exemptions.exemption(for: caller, at: now))
        let evicted = calls.open(id: call, caller: caller, trust: trust, at: now, openedAt: opened)
        counters.routes[decision.route.rawValue, default: 0] += 1
        for rule in decision.shadowMatches { counters.shadowMatches[rule, default: 0] += 1 }
        let close = closeBySystem(evicted, at: now, note: "more than \(calls.capacity) calls open at once; the oldest was let go")
        return Step(outcome: RoutedCall(caller: caller, decision: decision), entries: close.entries, firstID: close.firstID)
    }

    mutating func warning(call id: String, agent: String?, now: Double) throws(EngineError) -> Step<Bool> {
        var call = try openCall(id)
        call.ladder.recordWarning(at: now)
        let step = NewEntry(type: .warning, at: now, caller: call.caller.key, call: id, agent: agent)
        return Step(outcome: true, recorded: ladderStep(step, call: call))
    }

    /// A supervisor's verdict; it answers the call's pending supervisor request, if any.
    /// - Parameter reason: why, in the supervisor's words: kept as the entry's note.
    mutating func verdict(call id: String, approve: Bool, supervisor: String?, reason: String? = nil, now: Double) throws(EngineError) -> Step<Bool> {
        var call = try openCall(id)
        let verdict = approve ? "approve" : "deny"
        call.ladder.recordVerdict(at: now, approve ? .approve : .deny)
        let step = NewEntry(type: .verdict, at: now, caller: call.caller.key, call: id, supervisor: supervisor, note: reason, outcome: verdict)
        let recorded = ladderStep(step, call: call)
        closeSupervision(call: id, entry: Self.lastID(of: recorded)) { .supervisorAnswered($0, verdict: verdict, by: supervisor) }
        return Step(outcome: true, recorded: recorded)
    }

    /// Whether the agent may end the call now; the request and its answer are recorded. An answer
    /// of `supervisor_required` asks the call's supervisor; one the ladder authorised because the
    /// supervisor's time ran out ends the request as timed out.
    mutating func hangupRequest(call id: String, agent: String?, now: Double) throws(EngineError) -> Step<(HangupDecision, Caller)> {
        var call = try openCall(id)
        let decision = call.ladder.decide(at: now, policy: policy.policy)
        if decision.answer == .supervisorRequired { call.ladder.recordSupervisorAsked(at: now) }
        let step = NewEntry(
            type: .hangupRequest, at: now, caller: call.caller.key, call: id, agent: agent, note: decision.reason,
            rule: decision.rule, outcome: decision.answer.rawValue)
        let recorded = ladderStep(step, call: call)
        let entry = Self.lastID(of: recorded)
        if decision.answer == .supervisorRequired {
            askSupervisor(call: call, agent: agent, decision: decision, at: now, entry: entry)
        } else if decision.rule == "supervisor-timeout" {  // the ladder's rule name (CallLadder.decide)
            closeSupervision(call: id, entry: entry) { .supervisorTimedOut($0) }
        }
        return Step(outcome: (decision, call.caller), recorded: recorded)
    }

    /// The id of the last entry of a step: the step itself, after the call's start if it came first.
    static func lastID(of recorded: (entries: [NewEntry], firstID: Int64)) -> Int64 {
        recorded.firstID + Int64(recorded.entries.count) - 1
    }

    /// Ends a call. Recorded when it is part of the story: its ladder had begun, it ended
    /// `abusive`, or it ended `resolved` for a caller with a history (a calm call counts in their
    /// favour). Short calls feed nuisance detection, whose incidents follow the call's end.
    mutating func callEnded(call id: String, by: String?, outcome: String?, now: Double) throws(EngineError) -> Step<[Detection]> {
        guard let call = calls[id] else { throw .unknownCall(id) }
        let policy = policy.policy
        let hasHistory = call.caller.key.map { histories[$0] != nil } ?? false
        var entries: [NewEntry] = []
        var ended = call
        if call.startRecorded || call.ladder.hasActivity || outcome == "abusive" || (outcome == "resolved" && hasHistory) {
            let end = NewEntry(type: .callEnd, at: now, caller: call.caller.key, call: id, by: by, outcome: outcome)
            entries = ladderEntries(for: end, in: &ended)
        }
        var detections: [(NewEntry, DetectionRule)] = []
        if let key = call.caller.key {
            let fired = detector.callEnded(caller: key, startedAt: call.offeredAt, endedAt: now, endedBy: by, rules: policy.detection)
            for rule in fired {
                let note = "\(rule.calls) calls shorter than \(Policy.durationText(rule.shorterThan)) within \(Policy.durationText(rule.within))"
                detections.append((NewEntry(type: .incident, at: now, caller: key, call: id, kind: rule.kind, agent: "system", note: note, rule: rule.name, by: "system"), rule))
            }
        }
        let all = entries + detections.map(\.0)
        let first = number(all.count)
        // The call's end is undone by reopening it: it belongs to the first entry (or, when
        // nothing is recorded, the end is final at once).
        if !all.isEmpty { remember(.call(id: id, previous: call), for: first) }
        calls[id] = nil
        if outcome == "resolved", hasHistory, let key = call.caller.key, !entries.isEmpty {
            credit(resolvedCallOf: key, at: now, id: first)
        }
        if !entries.isEmpty {
            closeSupervision(call: id, entry: first + Int64(entries.count) - 1) { .supervisorAnswered($0, verdict: "ended", by: by) }
        } else {
            // A call with a pending request has begun its ladder, so its end is always recorded;
            // should one not be, the request still goes with the call.
            _ = supervision.close(call: id)
        }
        var detected: [Detection] = []
        for (offset, (entry, rule)) in detections.enumerated() {
            let incident = first + Int64(entries.count + offset)
            add(incident: incident, entry)
            detected.append(Detection(incident: incident, rule: rule, caller: call.caller))
        }
        return Step(outcome: detected, entries: all, firstID: first)
    }

    /// Closes calls opened (by the daemon's clock) longer ago than the policy's maximum call
    /// length. A far-future `at` from a peer cannot hold expiry back: the daemon's clock decides.
    mutating func closeExpiredCalls(now: Double) -> Step<SystemClose> {
        let expired = calls.expire(openedBefore: now - policy.policy.ladder.maxCallLength)
        detector.prune(now: now, rules: policy.policy.detection)
        agents.prune(now: now, policy: policy.policy)
        let close = closeBySystem(expired, at: now, note: "no call.ended within the policy's maximum call length")
        return Step(outcome: close.outcome, entries: close.entries, firstID: close.firstID)
    }

    /// Records the end of calls that leave without a `call.ended`, when their ladder had begun.
    private mutating func closeBySystem(_ gone: [OpenCalls.Call], at now: Double, note: String) -> Step<SystemClose> {
        var entries: [NewEntry] = []
        var closed: [(OpenCalls.Call, Int)] = []
        for call in gone where call.startRecorded || call.ladder.hasActivity {
            var ended = call
            let end = NewEntry(type: .callEnd, at: now, caller: call.caller.key, call: call.id, note: note, by: "system")
            entries += ladderEntries(for: end, in: &ended)
            // Where the call's end lies among the entries: its own start may come before it.
            closed.append((call, entries.count - 1))
        }
        let first = number(entries.count)
        for (call, offset) in closed {
            // Reopened if the record does not take its end.
            let end = first + Int64(offset)
            remember(.call(id: call.id, previous: call), for: end - (call.startRecorded ? 0 : 1))
            closeSupervision(call: call.id, entry: end) { .supervisorAnswered($0, verdict: "ended", by: "system") }
        }
        return Step(outcome: SystemClose(calls: gone.count, recorded: closed.count), entries: entries, firstID: first)
    }

    func openCall(_ id: String) throws(EngineError) -> OpenCalls.Call {
        guard let call = calls[id] else { throw .unknownCall(id) }
        return call
    }

    /// One ladder step in a call that stays open: numbered, applied, undoable.
    private mutating func ladderStep(_ step: NewEntry, call: OpenCalls.Call) -> (entries: [NewEntry], firstID: Int64) {
        let previous = calls[call.id]
        var call = call
        let entries = ladderEntries(for: step, in: &call)
        let first = number(entries.count)
        remember(.call(id: call.id, previous: previous), for: first)
        calls[call.id] = call
        return (entries, first)
    }

    /// The entries for one ladder step: preceded by the call's `call_start` the first time, so
    /// the record ties every step to its caller and a restart can resume the call.
    func ladderEntries(for step: NewEntry, in call: inout OpenCalls.Call) -> [NewEntry] {
        var entries: [NewEntry] = []
        if !call.startRecorded {
            entries.append(NewEntry(
                type: .callStart, at: call.offeredAt, caller: call.caller.key, call: call.id,
                attestation: call.trustReported ? call.trust.rawValue : nil))
            call.startRecorded = true
        }
        entries.append(step)
        return entries
    }

    /// A calm call counts in the caller's favour. Credits that have decayed to nothing are let
    /// go, so that a caller who calls calmly every day does not grow the daemon without end.
    private mutating func credit(resolvedCallOf key: String, at now: Double, id: Int64) {
        guard var history = histories[key] else { return }
        let horizon = Self.creditHorizon(halfLife: policy.policy.standing.creditHalfLife)
        history.resolvedCalls.removeAll { now - $0 > horizon }
        if history.resolvedCalls.count >= Self.maximumCredits { history.resolvedCalls.removeFirst() }
        history.resolvedCalls.append(now)
        histories[key] = history
        remember(.resolvedCall(caller: key, at: now), for: id)
    }

    /// Resolved calls kept per caller at most: past this many, the oldest credit goes.
    static let maximumCredits = 64

    /// After 32 half-lives a credit weighs under a billionth of itself.
    static func creditHorizon(halfLife: Double) -> Double { 32 * halfLife }
}

/// An incident recorded by nuisance detection.
public struct Detection: Sendable {
    public var incident: Int64
    public var rule: DetectionRule
    public var caller: Caller
}

extension Step {
    init(outcome: Outcome, recorded: (entries: [NewEntry], firstID: Int64)) {
        self.init(outcome: outcome, entries: recorded.entries, firstID: recorded.firstID)
    }
}
