/// What a restriction's review period runs from.
public struct ReviewAnchor: Sendable, Equatable {
    /// The newest counting incident since the restriction was last ended, or the last renewal if later.
    public var since: Double
    /// `since` is a renewal, not an incident.
    public var renewed: Bool
}

extension Policy {
    /// What the caller's restriction runs from for its review, or nil when nothing does (no
    /// counting incident since it was last ended, and no renewal since).
    public func reviewAnchor(of history: CallerHistory) -> ReviewAnchor? {
        let ended = history.review.endedAt
        var anchor: ReviewAnchor?
        for incident in history.incidents where counts(incident, in: history) {
            if let ended, incident.at <= ended { continue }
            if anchor.map({ incident.at > $0.since }) ?? true { anchor = ReviewAnchor(since: incident.at, renewed: false) }
        }
        if let renewal = history.review.renewedAt, ended.map({ renewal > $0 }) ?? true, anchor.map({ renewal > $0.since }) ?? true {
            anchor = ReviewAnchor(since: renewal, renewed: true)
        }
        return anchor
    }
}
