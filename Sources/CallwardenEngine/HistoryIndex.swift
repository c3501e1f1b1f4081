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
    /// Per node of a cluster, the highest origin id of its entries folded in: the engine folds
    /// in only what lies beyond (`EngineState.peerThrough`).
    var peerThrough: [Int: Int64] = [:]

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
        try store.forEachEntryAndOrigin(ofTypes: types) { stored, origin in
            index.apply(stored, origin: origin)
        }
        return index
    }

    /// Folds one recorded entry into the summary, in record order (`RecordedEntryFold`). Another
    /// node's entry (a cluster's `peer_entries`) is folded in as `EngineState.applyPeerEntries`
    /// folds it when it arrives: not into the agents' counters (agents are each node's own), and
    /// it asks no supervisor here (the node that answered the hang-up request follows it), though
    /// its verdict or the call's end closes a request this node asked.
    mutating func apply(_ stored: StoredEntry, origin: EntryOrigin = .own) {
        let entry = stored.entry
        if let call = entry.call {
            // Expiry goes by the daemon's clock: when this daemon recorded the call's start.
            calls[call] = OpenCalls.Call.folding(entry, into: calls[call], openedAt: stored.recordedAt)
        }
        applyToSupervision(entry, id: stored.id, asks: origin == .own)
        exemptions.apply(stored)
        if case .peer(let node, _) = origin {
            peerThrough[node] = Swift.max(peerThrough[node] ?? 0, stored.id)
        } else if entry.type == .incident, let policy, entry.at >= agentsSince, let agent = entry.agent, let kind = entry.kind {
            // Rebuilt as it was lived, so a rule that spoke before a restart does not speak again.
            _ = agents.record(incident: stored.id, agent: agent, at: entry.at, kind: kind, call: entry.call, policy: policy)
        }
        histories.fold(stored, incidents: &incidents)
    }

    /// Follows each call's supervisor request as the engine does: asked by a `supervisor_required`
    /// answer (the first one, while none is pending; only when `asks`), closed by a verdict, by a
    /// hang-up the ladder authorised at the deadline, or by the call's end.
    private mutating func applyToSupervision(_ entry: NewEntry, id: Int64, asks canAsk: Bool) {
        guard let call = entry.call else { return }
        switch entry.type {
        case .hangupRequest where entry.outcome == HangupDecision.Answer.supervisorRequired.rawValue:
            guard canAsk, asks[call] == nil, calls[call] != nil else { return }
            asks[call] = RecordedAsk(entry: id, at: entry.at, agent: entry.agent, rule: entry.rule ?? "supervisor-required", reason: entry.note ?? "")
        case .hangupRequest where entry.rule == "supervisor-timeout", .verdict, .callEnd:
            asks[call] = nil
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
