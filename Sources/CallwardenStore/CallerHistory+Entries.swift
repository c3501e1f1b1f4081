import CallwardenCore

/// How recorded entries become what the decisions see: one reading, shared by the engine's
/// start-up index and the replay of `policy test`, so both build a caller's history alike. The
/// record is checked, not trusted: an entry that does not read as what it claims changes nothing.
extension IncidentSummary {
    /// The incident an `incident` entry recorded, with the caller-id trust it was recorded with
    /// (`none` when the switch reported nothing); nil without a kind.
    public init?(id: Int64, recorded entry: NewEntry) {
        guard entry.type == .incident, let kind = entry.kind else { return nil }
        let trust = entry.attestation.flatMap(CallerIDTrust.init(rawValue:)) ?? .none
        self.init(id: id, kind: kind, at: entry.at, trust: trust)
    }
}

extension CallerHistory {
    /// What a person decided of the caller's restriction (`review`, outcome `renew` or `end`),
    /// and the grace window a `forgiveness` with `until` opens. Other entries change nothing.
    public mutating func applyMarks(of entry: NewEntry) {
        switch entry.type {
        case .review where entry.outcome == "renew":
            review.renewedAt = entry.at
        case .review where entry.outcome == "end":
            review.endedAt = entry.at
        case .forgiveness:
            // As the engine opens it (`GraceWindow.extended(by:)`): a window still open is extended.
            if let until = entry.until, until > entry.at {
                let opened = GraceWindow(from: entry.at, until: until)
                grace = grace.map { $0.extended(by: opened) } ?? opened
            }
        default:
            return
        }
    }
}

extension Dictionary where Key == String, Value == CallerHistory {
    /// Folds a `forgiveness` entry in: its incident is marked forgiven, and the grace window it
    /// opens is kept, even for a caller with no incident left (a purge deletes the forgiven
    /// incidents but keeps the forgiveness that opened a grace period): a light incident dated
    /// inside the window must not count, after a restart as before it.
    public mutating func applyForgiveness(_ entry: NewEntry) {
        guard entry.type == .forgiveness, let caller = entry.caller else { return }
        if let ref = entry.ref { self[caller]?.forgive(incident: ref) }
        if self[caller] != nil || entry.until.map({ $0 > entry.at }) == true {
            self[caller, default: CallerHistory()].applyMarks(of: entry)
        }
    }
}

extension Exemption {
    /// The exemption an `exemption` entry added; nil for an entry that does not read as one
    /// (no target, or no route it could keep anyone from).
    public init?(recorded stored: StoredEntry) {
        let entry = stored.entry
        guard entry.type == .exemption, let target = entry.caller, let words = entry.outcome else { return nil }
        let routes = Set(words.split(separator: ",").compactMap { Route(rawValue: String($0)) }).subtracting([.normal])
        guard !routes.isEmpty else { return nil }
        self.init(id: stored.id, target: target, routes: routes, reason: entry.note ?? "", until: entry.until, by: entry.by, at: entry.at)
    }
}

extension ExemptionRegister {
    /// Folds an `exemption` or `exemption_end` entry in; other entries change nothing.
    public mutating func apply(_ stored: StoredEntry) {
        switch stored.entry.type {
        case .exemption:
            if let exemption = Exemption(recorded: stored) { add(exemption) }
        case .exemptionEnd:
            if let ref = stored.entry.ref { remove(id: ref) }
        default:
            return
        }
    }
}
