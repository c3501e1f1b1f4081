import CallwardenCore
import CallwardenStore

/// How one recorded entry changes what memory keeps of callers and calls. Shared by start-up
/// (`HistoryIndex`, over the whole record) and by other nodes' entries as they arrive
/// (`EngineState.applyPeerEntries`), so that a peer's entry changes memory now exactly as a
/// restart, folding the record in again, would have it.
extension OpenCalls.Call {
    /// The call `call` (nil: not followed) as the recorded ladder step `entry` leaves it; nil once
    /// the entry ends it. A `call_start` begins the call anew (a call id may come back after its
    /// call ended). Entries of other calls, and entries that are not ladder steps, leave it as it is.
    /// - Parameter openedAt: the daemon's clock for a call the entry begins: expiry goes by it.
    static func folding(_ entry: NewEntry, into call: Self?, openedAt: Double) -> Self? {
        guard let id = entry.call else { return call }
        var call = call
        switch entry.type {
        case .callStart:
            var started = OpenCalls.Call(id: id, caller: entry.caller.map(Caller.known) ?? .anonymous, offeredAt: entry.at, openedAt: openedAt)
            started.startRecorded = true
            // The caller id's trust from the offer: later incidents in the call carry it, as they
            // would have had the daemon not restarted.
            if let trust = entry.attestation.flatMap(CallerIDTrust.init(rawValue:)) {
                started.trust = trust
                started.trustReported = true
            }
            return started
        case .incident:
            if let kind = entry.kind { call?.ladder.recordAbuse(at: entry.at, kind: kind) }
        case .warning:
            call?.ladder.recordWarning(at: entry.at)
        case .verdict:
            call?.ladder.recordVerdict(at: entry.at, entry.outcome == "approve" ? .approve : .deny)
        case .hangupRequest where entry.outcome == HangupDecision.Answer.supervisorRequired.rawValue:
            call?.ladder.recordSupervisorAsked(at: entry.at)
        case .callEnd:
            return nil
        default:
            break
        }
        return call
    }
}

extension Dictionary where Key == String, Value == CallerHistory {
    /// Folds an entry into the callers' histories: an incident is added (and counted in
    /// `incidents`, the anonymous class's too, which is never tracked), a forgiveness marks its
    /// incident and opens its grace window, a review sets its mark, and a call that ended
    /// `resolved` counts in the caller's favour once they have a history. Other entries change
    /// nothing.
    mutating func fold(_ stored: StoredEntry, incidents: inout Int) {
        let entry = stored.entry
        guard let caller = entry.caller else {
            if entry.type == .incident { incidents += 1 }
            return
        }
        switch entry.type {
        case .incident:
            addIncident(id: stored.id, entry)
            incidents += 1
        case .forgiveness:
            applyForgiveness(entry)
        case .review:
            self[caller]?.applyMarks(of: entry)
        case .callEnd:
            // A calm call counts in the caller's favour only once they have a history.
            guard entry.outcome == "resolved", self[caller] != nil else { return }
            self[caller]?.resolvedCalls.append(entry.at)
        default:
            return
        }
    }
}
