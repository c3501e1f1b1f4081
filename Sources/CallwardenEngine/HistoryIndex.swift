import CallwardenCore
import CallwardenStore

/// The in-memory summary of every caller's history, built once at start from the record and then
/// kept up to date by each write.
struct HistoryIndex {
    var histories: [String: CallerHistory] = [:]
    var incidents = 0

    static func load(from store: RecordStore) throws -> HistoryIndex {
        var index = HistoryIndex()
        try store.forEachEntry(ofTypes: [.incident, .forgiveness, .callEnd]) { stored in
            index.apply(stored)
        }
        return index
    }

    /// Folds one recorded entry into the summary; entries that do not bear on standing are ignored.
    mutating func apply(_ stored: StoredEntry) {
        let entry = stored.entry
        guard let caller = entry.caller else { return }
        switch entry.type {
        case .incident:
            guard let kind = entry.kind else { return }
            histories[caller, default: CallerHistory()].incidents.append(IncidentSummary(id: stored.id, kind: kind, at: entry.at))
            incidents += 1
        case .forgiveness:
            guard let ref = entry.ref else { return }
            histories[caller]?.forgive(incident: ref)
        case .callEnd:
            // A calm call counts in the caller's favour only once they have a history.
            guard entry.outcome == "resolved", histories[caller] != nil else { return }
            histories[caller]?.resolvedCalls.append(entry.at)
        default:
            return
        }
    }
}
