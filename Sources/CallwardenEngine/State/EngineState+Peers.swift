import CallwardenCore
import CallwardenStore

/// Other nodes' entries, and refusing writes, as steps on the engine's state. A peer's entry is
/// final when it arrives (it is in the shared record already): it is folded in as start-up folds
/// recorded entries (`RecordedEntryFold`), with no undo, no id and no notice that waits for a
/// commit, so that taking back this node's own uncommitted steps leaves it in place.
extension EngineState {
    /// Folds other nodes' entries into memory, in the order given: incidents (with their trust)
    /// and forgiveness into caller histories and the incident count; reviews and grace windows;
    /// exemptions and their ends; call_start, ladder steps and call_end into the open calls. An
    /// entry whose origin id memory holds already (at or below `peerThrough` for its node)
    /// changes nothing. Records nothing, and leaves `nextID`, the commit bookkeeping and the
    /// agents' counters alone (agents are each node's own). Returns how many were folded in.
    /// - Parameter now: the daemon's clock: a call a peer's entry begins expires by it.
    @discardableResult
    mutating func applyPeerEntries(_ peers: [PeerEntry], now: Double) -> Int {
        var applied = 0
        for peer in peers where peer.stored.id > peerThrough[peer.node, default: 0] {
            peerThrough[peer.node] = peer.stored.id
            applyPeer(peer.stored, now: now)
            applied += 1
        }
        return applied
    }

    private mutating func applyPeer(_ stored: StoredEntry, now: Double) {
        let entry = stored.entry
        // First, so that taking back this node's uncommitted writes later keeps this entry.
        keepOnRollBack(entry, now: now)
        if let id = entry.call {
            calls[id] = Self.foldingPeer(entry, into: calls[id], now: now)
            closeSupervision(answeredBy: entry, call: id)
        }
        exemptions.apply(stored)
        histories.fold(stored, incidents: &incidentCount)
        if entry.type == .callEnd, entry.outcome == "resolved", let caller = entry.caller {
            trimCredits(of: caller, now: now)
        }
    }

    /// The call `call` as a peer's `entry` leaves it (`OpenCalls.Call.folding`), but for a
    /// `call_start` of a call followed here already.
    static func foldingPeer(_ entry: NewEntry, into call: OpenCalls.Call?, now: Double) -> OpenCalls.Call? {
        guard entry.type == .callStart, var open = call else { return OpenCalls.Call.folding(entry, into: call, openedAt: now) }
        // The call is followed here too (it failed over, and was offered here before its start
        // arrived): it keeps its ladder, and its start is in the record now.
        open.startRecorded = true
        if !open.trustReported, let trust = entry.attestation.flatMap(CallerIDTrust.init(rawValue:)) {
            open.trust = trust
            open.trustReported = true
        }
        return open
    }

    /// Whether a peer's `entry` ends the supervisor request of its call (`closeSupervision`).
    static func closesSupervision(_ entry: NewEntry) -> Bool {
        entry.type == .verdict || entry.type == .callEnd || (entry.type == .hangupRequest && entry.rule == "supervisor-timeout")
    }

    /// A peer's verdict, the call's end, or a hang-up the ladder authorised at the deadline ends
    /// the supervisor request this node asked for the call, if any: told at once (the entry is
    /// durable in the shared record), so that this node does not time it out later.
    private mutating func closeSupervision(answeredBy entry: NewEntry, call: String) {
        let notice: (SupervisorRequest) -> EngineNotice
        switch entry.type {
        case .verdict:
            notice = { .supervisorAnswered($0, verdict: entry.outcome ?? "", by: entry.supervisor) }
        case .callEnd:
            notice = { .supervisorAnswered($0, verdict: "ended", by: entry.by) }
        case .hangupRequest where entry.rule == "supervisor-timeout":
            notice = { .supervisorTimedOut($0) }
        default:
            return
        }
        guard let request = supervision.close(call: call) else { return }
        announce(notice(request), after: committedThrough)
    }

    /// Keeps a caller's calm-call credits as bounded as `credit` keeps them.
    private mutating func trimCredits(of caller: String, now: Double) {
        guard var history = histories[caller] else { return }
        let horizon = Self.creditHorizon(halfLife: policy.policy.standing.creditHalfLife)
        history.resolvedCalls.removeAll { now - $0 > horizon }
        if history.resolvedCalls.count > Self.maximumCredits {
            history.resolvedCalls.removeFirst(history.resolvedCalls.count - Self.maximumCredits)
        }
        histories[caller] = history
    }

    /// Throws `unavailable` with the reason while writes are refused.
    func requireWritable() throws(EngineError) {
        if let writesRefused { throw .unavailable(writesRefused) }
    }
}
