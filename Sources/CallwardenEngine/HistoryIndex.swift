import CallwardenCore
import CallwardenStore

/// What the engine keeps in memory, rebuilt once at start from the record: every caller's history
/// summary, and the calls whose ladder had begun and that had not ended.
struct HistoryIndex {
    var histories: [String: CallerHistory] = [:]
    var incidents = 0
    var exemptions = ExemptionRegister()
    /// The agents' counters and welfare marks, as the incidents in the record left them.
    var agents = AgentLedger()
    /// The policy the welfare rules are read from; nil: agents are not followed.
    var policy: Policy?
    /// Incidents dated before this do not reach the agents' counters: twice the horizon back,
    /// so that every window that ends within the horizon is counted whole.
    var agentsSince = -Double.infinity
    private var calls: [String: OpenCalls.Call] = [:]
    /// Hang-up requests answered `supervisor_required` with no verdict or end since, by call.
    private var asks: [String: RecordedAsk] = [:]

    /// A `hangup.request` entry that asked for a supervisor.
    struct RecordedAsk {
        var entry: Int64
        var at: Double
        var agent: String?
        var rule: String
        var reason: String
    }

    /// Calls with a `call_start` and no `call_end`, with their ladder as recorded.
    var openCalls: [OpenCalls.Call] { Array(calls.values) }

    /// The supervisor requests still pending when the record ends, as of `now` under `policy`:
    /// the caller's standing now, the deadline from the policy in force. Those whose deadline has
    /// passed are left out and counted: they timed out (before the stop, or while callwardend was
    /// down), and the ladder authorises their hang-up by itself.
    func pendingSupervision(policy: Policy, now: Double) -> (pending: PendingSupervision, lapsed: Int) {
        var pending = PendingSupervision()
        var lapsed = 0
        for (id, ask) in asks {
            guard let call = calls[id] else { continue }
            let history = call.caller.key.flatMap { histories[$0] } ?? CallerHistory()
            let request = SupervisorRequest(
                call: id, caller: call.caller, agent: ask.agent, standing: policy.standing(of: history, at: now),
                rule: ask.rule, reason: ask.reason, askedAt: ask.at,
                deadline: SupervisorRequest.deadline(firstAsked: call.ladder.supervisorAskedAt ?? ask.at, timeout: policy.ladder.supervisorTimeout),
                entry: ask.entry)
            if let deadline = request.deadline, deadline <= now {
                lapsed += 1
            } else {
                _ = pending.ask(request)
            }
        }
        return (pending, lapsed)
    }

    static func load(from store: RecordStore, policy: Policy? = nil, now: Double = 0) throws -> HistoryIndex {
        var index = HistoryIndex()
        index.policy = policy
        if let policy { index.agentsSince = now - 2 * policy.welfareHorizon }
        let types: [EntryType] = [
            .incident, .forgiveness, .callEnd, .callStart, .warning, .verdict, .hangupRequest, .exemption, .exemptionEnd, .review,
        ]
        try store.forEachEntry(ofTypes: types) { stored in
            index.apply(stored)
        }
        return index
    }

    /// Folds one recorded entry into the summary, in record order.
    mutating func apply(_ stored: StoredEntry) {
        let entry = stored.entry
        applyToLadder(entry, recordedAt: stored.recordedAt)
        applyToSupervision(entry, id: stored.id)
        if entry.type == .exemption || entry.type == .exemptionEnd {
            exemptions.apply(stored)
            return
        }
        if entry.type == .incident, let policy, entry.at >= agentsSince, let agent = entry.agent, let kind = entry.kind {
            // Rebuilt as it was lived, so a rule that spoke before a restart does not speak again.
            _ = agents.record(incident: stored.id, agent: agent, at: entry.at, kind: kind, call: entry.call, policy: policy)
        }
        guard let caller = entry.caller else {
            if entry.type == .incident { incidents += 1 }
            return
        }
        switch entry.type {
        case .incident:
            histories.addIncident(id: stored.id, entry)
            incidents += 1
        case .forgiveness:
            histories.applyForgiveness(entry)
        case .review:
            histories[caller]?.applyMarks(of: entry)
        case .callEnd:
            // A calm call counts in the caller's favour only once they have a history.
            guard entry.outcome == "resolved", histories[caller] != nil else { return }
            histories[caller]?.resolvedCalls.append(entry.at)
        default:
            return
        }
    }

    /// Follows each call's supervisor request as the engine does: asked by a `supervisor_required`
    /// answer (the first one, while none is pending), closed by a verdict, by a hang-up the ladder
    /// authorised at the deadline, or by the call's end.
    private mutating func applyToSupervision(_ entry: NewEntry, id: Int64) {
        guard let call = entry.call else { return }
        switch entry.type {
        case .hangupRequest where entry.outcome == HangupDecision.Answer.supervisorRequired.rawValue:
            guard asks[call] == nil, calls[call] != nil else { return }
            asks[call] = RecordedAsk(entry: id, at: entry.at, agent: entry.agent, rule: entry.rule ?? "supervisor-required", reason: entry.note ?? "")
        case .hangupRequest where entry.rule == "supervisor-timeout", .verdict, .callEnd:
            asks[call] = nil
        default:
            return
        }
    }

    private mutating func applyToLadder(_ entry: NewEntry, recordedAt: Double) {
        guard let id = entry.call else { return }
        switch entry.type {
        case .callStart:
            // Expiry goes by the daemon's clock: when this daemon recorded the call's start.
            var call = OpenCalls.Call(id: id, caller: entry.caller.map(Caller.known) ?? .anonymous, offeredAt: entry.at, openedAt: recordedAt)
            call.startRecorded = true
            // The caller id's trust from the offer: later incidents in the call carry it, as they
            // would have had the daemon not restarted.
            if let trust = entry.attestation.flatMap(CallerIDTrust.init(rawValue:)) {
                call.trust = trust
                call.trustReported = true
            }
            calls[id] = call
        case .incident:
            if let kind = entry.kind { calls[id]?.ladder.recordAbuse(at: entry.at, kind: kind) }
        case .warning:
            calls[id]?.ladder.recordWarning(at: entry.at)
        case .verdict:
            calls[id]?.ladder.recordVerdict(at: entry.at, entry.outcome == "approve" ? .approve : .deny)
        case .hangupRequest where entry.outcome == HangupDecision.Answer.supervisorRequired.rawValue:
            calls[id]?.ladder.recordSupervisorAsked(at: entry.at)
        case .callEnd:
            calls[id] = nil
        default:
            return
        }
    }
}

extension Dictionary where Key == String, Value == CallerHistory {
    /// Adds an incident entry to its caller's summary, at start-up and as each write is queued.
    /// Incidents of the anonymous class (no caller) are recorded but never tracked.
    mutating func addIncident(id: Int64, _ entry: NewEntry) {
        guard let caller = entry.caller, let incident = IncidentSummary(id: id, recorded: entry) else { return }
        self[caller, default: CallerHistory()].incidents.append(incident)
    }
}
