import CallwardenCore
import CallwardenStore

/// What the engine keeps in memory, rebuilt once at start from the record: every caller's history
/// summary, and the calls whose ladder had begun and that had not ended.
struct HistoryIndex {
    var histories: [String: CallerHistory] = [:]
    var incidents = 0
    var exemptions = ExemptionRegister()
    private var calls: [String: OpenCalls.Call] = [:]

    /// Calls with a `call_start` and no `call_end`, with their ladder as recorded.
    var openCalls: [OpenCalls.Call] { Array(calls.values) }

    static func load(from store: RecordStore) throws -> HistoryIndex {
        var index = HistoryIndex()
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
        if entry.type == .exemption || entry.type == .exemptionEnd {
            exemptions.apply(stored)
            return
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
