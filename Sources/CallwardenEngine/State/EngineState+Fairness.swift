import CallwardenCore
import CallwardenStore

/// Exemptions and reviews, as steps on the engine's state: each is an entry in the record and
/// takes effect in memory at once, undone if the record refuses it.
extension EngineState {
    /// Keeps a caller, or every number under a prefix, from restricting routes.
    mutating func addExemption(_ request: ExemptionRequest, by: String, now: Double) throws(EngineError) -> Step<Exemption> {
        try Self.requireReason(request.reason)
        let target = try exemptionTarget(request.target)
        if let until = request.until, until <= now {
            throw .badRequest("'until' must be later than now: an exemption that has already lapsed would exempt no one")
        }
        let routes = request.routes.isEmpty ? [Route.nuisance] : request.routes
        let words = routes.map(\.rawValue).sorted().joined(separator: ",")
        let entry = NewEntry(type: .exemption, at: now, caller: target, note: request.reason, by: by, outcome: words, until: request.until)
        let id = number(1)
        let exemption = Exemption(id: id, target: target, routes: Set(routes), reason: request.reason, until: request.until, by: by, at: now)
        exemptions.add(exemption)
        remember(.exemptionAdded(id: id), for: id)
        return Step(outcome: exemption, entries: [entry], firstID: id)
    }

    /// Ends an exemption, lapsed or not; its entry stays in the record.
    mutating func removeExemption(id: Int64, reason: String, by: String, now: Double) throws(EngineError) -> Step<Exemption> {
        try Self.requireReason(reason)
        guard let exemption = exemptions.all.first(where: { $0.id == id }) else {
            throw .badRequest("no exemption \(id); `exempt.list` shows them")
        }
        let entry = NewEntry(type: .exemptionEnd, at: now, caller: exemption.target, note: reason, ref: id, by: by)
        let entryID = number(1)
        exemptions.remove(id: id)
        remember(.exemptionRemoved(exemption), for: entryID)
        return Step(outcome: exemption, entries: [entry], firstID: entryID)
    }

    /// Renews a caller's restriction (it runs again from now) or ends it (incidents so far no
    /// longer restrict under rules with a review; a new one does).
    mutating func review(caller presented: String, decision: ReviewDecision, reason: String, by: String, now: Double) throws(EngineError) -> Step<ReviewOutcome> {
        try Self.requireReason(reason)
        let caller = policy.policy.numbering.normalise(presented)
        guard caller.key != nil else {
            throw .badRequest("'\(presented)' is not one caller's number (it reads as the anonymous class, which is never restricted as one person)")
        }
        guard let key = caller.key, var history = histories[key], !history.incidents.isEmpty else {
            throw .badRequest("\(caller.display) has no incidents on record: there is no restriction to review")
        }
        let entry = NewEntry(type: .review, at: now, caller: key, note: reason, by: by, outcome: decision.rawValue)
        let id = number(1)
        remember(.review(caller: key, previous: history.review), for: id)
        switch decision {
        case .renew: history.review.renewedAt = now
        case .end: history.review.endedAt = now
        }
        histories[key] = history
        let decisionNow = policy.policy.route(CallContext(caller: caller), history: history, at: now, exemption: exemptions.exemption(for: caller, at: now))
        return Step(outcome: ReviewOutcome(entry: id, caller: caller, decision: decision, routeNow: decisionNow.route, rule: decisionNow.rule), entries: [entry], firstID: id)
    }

    /// A caller or a prefix pattern, as the record keeps it: callers normalised by the numbering
    /// plan, patterns as `+` and digits followed by `*`.
    func exemptionTarget(_ text: String) throws(EngineError) -> String {
        if text.hasSuffix("*") {
            guard Exemption.isValidPattern(text) else {
                throw .badRequest("a pattern is '+', 1 to 20 digits and '*' (+44800*), not '\(text)'")
            }
            return text
        }
        let caller = policy.policy.numbering.normalise(text)
        guard let key = caller.key else {
            throw .badRequest("'\(text)' is in the anonymous class, which is never one person and cannot be exempted")
        }
        return key
    }

    static func requireReason(_ reason: String) throws(EngineError) {
        guard !reason.allSatisfy(\.isWhitespace) else { throw .badRequest("a reason is required: it is kept in the record") }
    }
}

/// What `exempt.add` asks for.
public struct ExemptionRequest: Sendable {
    /// A caller as presented, or a prefix pattern (`+44800*`).
    public var target: String
    public var reason: String
    public var until: Double?
    /// Empty: the nuisance route.
    public var routes: [Route]

    public init(target: String, reason: String, until: Double?, routes: [Route]) {
        self.target = target
        self.reason = reason
        self.until = until
        self.routes = routes
    }
}

/// What a person decided of a restriction under review.
public enum ReviewDecision: String, Sendable {
    case renew
    case end
}

/// What `review.renew` / `review.end` did.
public struct ReviewOutcome: Sendable {
    /// The review entry's id.
    public var entry: Int64
    public var caller: Caller
    public var decision: ReviewDecision
    /// Where a call from the caller goes now.
    public var routeNow: Route
    public var rule: String
}
