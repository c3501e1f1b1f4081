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
        switch entry.type {
        case .exemption:
            if let exemption = Exemption(recorded: stored) { exemptions.add(exemption) }
            return
        case .exemptionEnd:
            if let ref = entry.ref { exemptions.remove(id: ref) }
            return
        default:
            break
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
            guard let ref = entry.ref else { return }
            histories[caller]?.forgive(incident: ref)
            if let until = entry.until, until > entry.at { histories[caller]?.grace = GraceWindow(from: entry.at, until: until) }
        case .review:
            switch entry.outcome {
            case ReviewDecision.renew.rawValue: histories[caller]?.review.renewedAt = entry.at
            case ReviewDecision.end.rawValue: histories[caller]?.review.endedAt = entry.at
            default: return
            }
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
        guard let caller = entry.caller, let kind = entry.kind else { return }
        let trust = entry.attestation.flatMap(CallerIDTrust.init(rawValue:)) ?? .none
        self[caller, default: CallerHistory()].incidents.append(IncidentSummary(id: id, kind: kind, at: entry.at, trust: trust))
    }
}

extension Exemption {
    /// The exemption an `exemption` entry added; nil for an entry that does not read as one (the
    /// record is checked, not trusted: such an entry exempts no one).
    init?(recorded stored: StoredEntry) {
        let entry = stored.entry
        guard entry.type == .exemption, let target = entry.caller, let words = entry.outcome else { return nil }
        let routes = Set(words.split(separator: ",").compactMap { Route(rawValue: String($0)) }).subtracting([.normal])
        guard !routes.isEmpty else { return nil }
        self.init(id: stored.id, target: target, routes: routes, reason: entry.note ?? "", until: entry.until, by: entry.by, at: entry.at)
    }
}
