import CallwardenCore
import CallwardenEngine
import CallwardenProtocol

/// Success fields of the exemption and review requests, and the fairness parts of `explain`.
extension Responses {
    static func write(_ exemption: Exemption, to writer: inout JSONWriter, now: Double? = nil) {
        writer.field("id", exemption.id)
        writer.field("target", exemption.target)
        writer.strings("routes", exemption.routes.map(\.rawValue).sorted())
        writer.field("reason", exemption.reason)
        if let until = exemption.until { writer.field("until", EventTime.format(until)) }
        if let by = exemption.by { writer.field("by", by) }
        writer.field("at", EventTime.format(exemption.at))
        if let now { writer.field("active", exemption.isActive(at: now)) }
    }

    static func write(exemptions: [Exemption], now: Double, to writer: inout JSONWriter) {
        writer.array("exemptions", exemptions) { object, exemption in write(exemption, to: &object, now: now) }
    }

    static func write(_ outcome: ReviewOutcome, to writer: inout JSONWriter) {
        writer.field("caller", outcome.caller.display)
        writer.field("review", outcome.entry)
        writer.field("decision", outcome.decision.rawValue)
        writer.field("route_now", outcome.routeNow.rawValue)
        writer.field("rule_now", outcome.rule)
    }

    static func write(_ list: ReviewList, to writer: inout JSONWriter) {
        writer.array("reviews", list.items) { object, item in
            object.field("caller", item.caller.display)
            object.field("rule", item.rule)
            object.field("route", item.route.rawValue)
            object.field("since", EventTime.format(item.since))
            object.field("from", item.renewed ? "renewal" : "incident")
            object.field("due", EventTime.format(item.due))
            object.field("lapsed", item.lapsed)
            object.field("route_now", item.routeNow.rawValue)
            object.field("rule_now", item.ruleNow)
        }
        writer.field("total", list.total)
    }

    /// What `explain` adds about fairness: shadow matches, the exemption, review marks, grace.
    static func writeFairness(_ explanation: Explanation, to writer: inout JSONWriter) {
        let decision = explanation.decision
        if !decision.shadowMatches.isEmpty { writer.strings("shadow", decision.shadowMatches) }
        if let exemption = explanation.exemption {
            writer.object("exemption") { object in write(exemption, to: &object) }
        }
        if let renewed = explanation.review.renewedAt { writer.field("review_renewed", EventTime.format(renewed)) }
        if let ended = explanation.review.endedAt { writer.field("review_ended", EventTime.format(ended)) }
        if let grace = explanation.grace {
            writer.object("grace") { object in
                object.field("from", EventTime.format(grace.from))
                object.field("until", EventTime.format(grace.until))
            }
        }
    }

    /// A trail step's outcome in one word, and why it was skipped.
    static func write(_ outcome: TrailOutcome, to writer: inout JSONWriter) {
        switch outcome {
        case .notMatched: writer.field("outcome", "not_matched")
        case .decided: writer.field("outcome", "decided")
        case .shadow: writer.field("outcome", "shadow")
        case .skipped(let why):
            writer.field("outcome", "skipped")
            writer.field("skipped", why)
        }
    }
}
