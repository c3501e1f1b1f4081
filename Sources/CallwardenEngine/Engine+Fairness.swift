import CallwardenCore
import CallwardenLocking
import Logging

/// A restriction due for review, or past it and waiting for a person (`review.list`).
public struct ReviewItem: Sendable {
    public var caller: Caller
    /// The rule with a review that restricts (or restricted) the caller.
    public var rule: String
    public var route: Route
    /// What the review period runs from: the newest counting incident, or the last renewal.
    public var since: Double
    public var renewed: Bool
    /// When the review falls due.
    public var due: Double
    /// Past review: the caller is routed as if the rule did not hold until a person renews it.
    public var lapsed: Bool
    /// Where a call from the caller goes now, and by which rule: the restriction itself while it
    /// holds; once lapsed, whatever the next rule decides (not always `normal`).
    public var routeNow: Route
    public var ruleNow: String
}

/// `review.list`'s answer.
public struct ReviewList: Sendable {
    /// Soonest due first; at most `ReviewList.maximum`.
    public var items: [ReviewItem]
    /// How many there were in all.
    public var total: Int

    public static let maximum = 1000
}

extension Engine {
    /// How far ahead `review.list` looks when the client does not say: two weeks.
    public static let defaultReviewWindow: Double = 14 * 86_400

    public func addExemption(_ request: ExemptionRequest, by: String) throws(EngineError) -> Recorded<Exemption> {
        let now = clock()
        let (exemption, ticket) = try performWrite { state throws(EngineError) in try state.addExemption(request, by: by, now: now) }
        return Recorded(value: exemption, ticket: ticket) { [logger] in
            logger.notice("Exemption \(exemption.id) added for \(exemption.target): \(exemption.reason)", metadata: Self.metadata(exemption, by: by))
        }
    }

    public func removeExemption(id: Int64, reason: String, by: String) throws(EngineError) -> Recorded<Exemption> {
        let now = clock()
        let (exemption, ticket) = try performWrite { state throws(EngineError) in try state.removeExemption(id: id, reason: reason, by: by, now: now) }
        return Recorded(value: exemption, ticket: ticket) { [logger] in
            logger.notice("Exemption \(exemption.id) for \(exemption.target) removed: \(reason)", metadata: Self.metadata(exemption, by: by))
        }
    }

    /// Every exemption, lapsed ones too, oldest first.
    public func exemptions() -> [Exemption] {
        state.withLock { $0.exemptions.all }
    }

    public func review(caller: String, decision: ReviewDecision, reason: String, by: String) throws(EngineError) -> Recorded<ReviewOutcome> {
        let now = clock()
        let (outcome, ticket) = try performWrite { state throws(EngineError) in
            try state.review(caller: caller, decision: decision, reason: reason, by: by, now: now)
        }
        return Recorded(value: outcome, ticket: ticket) { [logger] in
            logger.notice("Review of \(outcome.caller.display): restriction \(decision == .renew ? "renewed" : "ended"): \(reason)", metadata: [
                LogEvent.metadataKey: LogEvent.reviewDecided.metadataValue, "caller": .string(outcome.caller.display),
                "review": .string(decision.rawValue), "by": .string(by),
            ])
        }
    }

    /// Restrictions whose review falls due within `within` seconds, and those already past it.
    ///
    /// Works on a copy of the callers' histories taken under the lock (copy-on-write: taking it
    /// costs nothing; the first write after it copies the table once), so that routing never
    /// waits for the walk over every caller.
    public func reviews(within: Double?) -> ReviewList {
        let now = clock()
        let (histories, policy, exemptions) = state.withLock { ($0.histories, $0.policy.policy, $0.exemptions) }
        let horizon = now + (within ?? Self.defaultReviewWindow)
        let reviewed = Dictionary(policy.rules.compactMap { rule in rule.review.map { (rule.name, (rule, $0)) } }, uniquingKeysWith: { first, _ in first })
        guard !reviewed.isEmpty else { return ReviewList(items: [], total: 0) }
        var items: [ReviewItem] = []
        for (key, history) in histories where !history.incidents.isEmpty {
            let caller = Caller.known(key)
            let decision = policy.route(CallContext(caller: caller), history: history, at: now, exemption: exemptions.exemption(for: caller, at: now))
            // The rule under review: the one that decided, or the first one that lapsed.
            let step = decision.trail.first { step in
                guard reviewed[step.rule] != nil else { return false }
                if case .skipped(let why) = step.outcome { return why.hasPrefix("past review") }
                return step.outcome == .decided
            }
            guard let step, let (rule, period) = reviewed[step.rule], let anchor = policy.reviewAnchor(of: history) else { continue }
            let due = anchor.since + period
            let lapsed = step.outcome != .decided
            guard lapsed || due <= horizon else { continue }
            items.append(ReviewItem(
                caller: caller, rule: rule.name, route: rule.route, since: anchor.since, renewed: anchor.renewed, due: due, lapsed: lapsed,
                routeNow: decision.route, ruleNow: decision.rule))
        }
        items.sort { ($0.due, $0.caller.display) < ($1.due, $1.caller.display) }
        return ReviewList(items: Array(items.prefix(ReviewList.maximum)), total: items.count)
    }

    private static func metadata(_ exemption: Exemption, by: String) -> Logger.Metadata {
        [
            LogEvent.metadataKey: LogEvent.exemptionChanged.metadataValue, "exemption": .string(String(exemption.id)),
            "target": .string(exemption.target), "routes": .string(exemption.routes.map(\.rawValue).sorted().joined(separator: ",")),
            "by": .string(by),
        ]
    }
}
