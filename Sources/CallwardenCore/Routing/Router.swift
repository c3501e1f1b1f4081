/// What a new call needs besides the caller's history.
public struct CallContext: Sendable {
    public var caller: Caller
    /// The number the caller dialed, normalised, if the switch gave it.
    public var dialed: String?
    /// How far this call's caller id can be trusted (STIR/SHAKEN).
    public var trust: CallerIDTrust

    public init(caller: Caller, dialed: String? = nil, trust: CallerIDTrust = .none) {
        self.caller = caller
        self.dialed = dialed
        self.trust = trust
    }
}

extension Policy {
    /// Decides where a call goes: the first rule whose condition holds and which may decide. Pure:
    /// the same history, time, exemption and policy give the same answer, which is what `explain`
    /// shows.
    ///
    /// A rule that holds does not decide when it is a shadow (it is counted in `shadowMatches`),
    /// when a floor forbids its route for this call, when `exemption` exempts the caller from its
    /// route, or when its restriction is past review; the next rule is tried. The last rule routes
    /// `normal`, which nothing forbids, so a decision is always reached.
    /// - Parameter exemption: the caller's exemption in force, if any (`ExemptionRegister`).
    /// - Parameter explain: fill each trail step's `detail` (for `explain`); routing leaves it empty
    ///   so the hot path builds no text.
    public func route(_ call: CallContext, history: CallerHistory, at now: Double, exemption: Exemption? = nil, explain: Bool = false) -> RouteDecision {
        let history = call.caller.key == nil ? CallerHistory() : history
        let overall = standing(of: history, at: now)
        var trail: [RuleTrailStep] = []
        trail.reserveCapacity(rules.count)
        var shadows: [String] = []
        var exempted: Int64?
        for rule in rules {
            let (holds, detail) = evaluate(rule, call: call, history: history, now: now, explain: explain)
            guard holds else {
                trail.append(RuleTrailStep(rule: rule.name, matched: false, detail: detail, outcome: .notMatched))
                continue
            }
            if rule.shadow {
                shadows.append(rule.name)
                trail.append(RuleTrailStep(rule: rule.name, matched: false, detail: detail, outcome: .shadow))
                continue
            }
            // Each check costs nothing unless the policy or the caller has what it checks.
            if rule.route != .normal {
                if !floor.isEmpty, let floorRule = floorForbidding(rule.route, for: call) {
                    trail.append(RuleTrailStep(rule: rule.name, matched: false, detail: detail, outcome: .skipped("floor '\(floorRule.name)' never routes these calls \(rule.route.rawValue)")))
                    continue
                }
                if let exemption, exemption.routes.contains(rule.route), exemption.isActive(at: now) {
                    exempted = exemption.id
                    trail.append(RuleTrailStep(rule: rule.name, matched: false, detail: detail, outcome: .skipped("exemption \(exemption.id): \(exemption.reason)")))
                    continue
                }
            }
            if let review = rule.review, let lapse = reviewLapse(review, history: history, now: now) {
                trail.append(RuleTrailStep(rule: rule.name, matched: false, detail: detail, outcome: .skipped(lapse)))
                continue
            }
            trail.append(RuleTrailStep(rule: rule.name, matched: true, detail: detail, outcome: .decided))
            return RouteDecision(
                route: rule.route, queue: rule.queue, priority: rule.priority, rule: rule.name,
                reason: rule.reason, standing: overall, trail: trail, shadowMatches: shadows, exemption: exempted
            )
        }
        // The parser guarantees a last rule that holds for everyone and routes `normal`; this only
        // guards a hand-built Policy.
        return RouteDecision(
            route: .normal, queue: "default", priority: 0, rule: "built-in", reason: "no rule matched",
            standing: overall, trail: trail, shadowMatches: shadows, exemption: exempted
        )
    }

    /// The first floor rule whose scope holds this call and which never allows `route`.
    func floorForbidding(_ route: Route, for call: CallContext) -> FloorRule? {
        floor.first { $0.never.contains(route) && $0.applies(to: call) }
    }

    /// Why a restriction under review may no longer decide, or nil while it may.
    ///
    /// It runs from the caller's newest counting incident since the restriction was last ended, or
    /// from the last renewal if later; once `review` has passed since then (or when there is
    /// nothing to run from) it lapses until a person renews it or a new incident happens.
    private func reviewLapse(_ review: Double, history: CallerHistory, now: Double) -> String? {
        let ended = history.review.endedAt
        var anchor: Double?
        for incident in history.incidents where counts(incident, in: history) {
            if let ended, incident.at <= ended { continue }
            if anchor.map({ incident.at > $0 }) ?? true { anchor = incident.at }
        }
        var renewed = false
        if let renewal = history.review.renewedAt, ended.map({ renewal > $0 }) ?? true, anchor.map({ renewal > $0 }) ?? true {
            anchor = renewal
            renewed = true
        }
        guard let anchor else {
            return ended == nil ? "past review: no incident to review" : "review ended; no incident since"
        }
        guard now > anchor + review else { return nil }
        let days = ((now - anchor) / 86_400).rounded(places: 1).policyText
        return "past review: \(Self.durationText(review)) ran out \(days)d after the last \(renewed ? "renewal" : "incident")"
    }

    private func evaluate(_ rule: RoutingRule, call: CallContext, history: CallerHistory, now: Double, explain: Bool) -> (Bool, String) {
        let (holds, detail) = evaluate(rule.condition, call: call, history: history, now: now, explain: explain)
        guard holds, let unless = rule.unless else { return (holds, detail) }
        let (excepted, exception) = evaluate(unless, call: call, history: history, now: now, explain: explain)
        guard explain else { return (!excepted, "") }
        return (!excepted, "\(detail); unless \(excepted ? "holds" : "does not hold"): \(exception)")
    }

    private func evaluate(_ condition: RuleCondition?, call: CallContext, history: CallerHistory, now: Double, explain: Bool) -> (Bool, String) {
        guard let condition else { return (true, explain ? "default: applies to everyone else" : "") }
        var holds = true
        var notes: [String] = []
        if let anonymous = condition.anonymous {
            let isAnonymous = call.caller.key == nil
            holds = holds && isAnonymous == anonymous
            if explain { notes.append("anonymous is \(isAnonymous), wanted \(anonymous)") }
        }
        if let dialed = condition.dialed {
            let match = call.dialed.map { number in dialed.contains { Self.dialedPattern($0, matches: number) } } ?? false
            holds = holds && match
            if explain { notes.append("dialed \(call.dialed ?? "none") \(match ? "in" : "not in") [\(dialed.joined(separator: ", "))]") }
        }
        if let callers = condition.callers {
            let match = call.caller.key.map { NumberPattern.matchesAny(callers, $0) } ?? false
            holds = holds && match
            if explain { notes.append("caller \(call.caller.display) \(match ? "in" : "not in") [\(callers.joined(separator: ", "))]") }
        }
        if let levels = condition.attestation {
            let match = levels.contains(call.trust)
            holds = holds && match
            if explain { notes.append("attestation \(call.trust.rawValue) \(match ? "in" : "not in") [\(Self.trustList(levels))]") }
        }
        if let clause = condition.score {
            let score = standing(of: history, at: now, kinds: clause.kinds).score
            let ok = score >= clause.atLeast
            holds = holds && ok
            if explain { notes.append("score \(score.rounded(places: 3).policyText) \(ok ? ">=" : "<") \(clause.atLeast.policyText)\(Self.kindsNote(clause.kinds))") }
        }
        if let clause = condition.incidents {
            let count = history.incidents.reduce(0) { count, incident in
                let counts = counts(incident, in: history)
                    && (clause.kinds?.contains(incident.kind) ?? true)
                    && (clause.within.map { now - incident.at <= $0 } ?? true)
                return counts ? count + 1 : count
            }
            let ok = count >= clause.atLeast
            holds = holds && ok
            let window = clause.within.map { " within \(Self.durationText($0))" } ?? ""
            if explain { notes.append("\(count) incident(s)\(window) \(ok ? ">=" : "<") \(clause.atLeast)\(Self.kindsNote(clause.kinds))") }
        }
        if explain, let grace = history.grace {
            let graced = history.incidents.filter { !$0.forgiven && isGraced($0, grace: grace) }.count
            if graced > 0 { notes.append("\(graced) light incident(s) in the grace period not counted") }
        }
        return (holds, notes.joined(separator: "; "))
    }

    static func dialedPattern(_ pattern: String, matches number: String) -> Bool {
        NumberPattern.matches(pattern, number)
    }

    private static func kindsNote(_ kinds: Set<String>?) -> String {
        kinds.map { " (\($0.sorted().joined(separator: ", ")))" } ?? ""
    }

    static func trustList(_ levels: Set<CallerIDTrust>) -> String {
        CallerIDTrust.allCases.filter(levels.contains).map(\.rawValue).joined(separator: ", ")
    }

    /// `365d`, `10m`: durations shown as an operator wrote them.
    public static func durationText(_ seconds: Double) -> String {
        for unit in PolicyDuration.units.reversed() where seconds >= unit.seconds && seconds.truncatingRemainder(dividingBy: unit.seconds) == 0 {
            return "\((seconds / unit.seconds).policyText)\(unit.suffix)"
        }
        return "\(seconds.policyText)s"
    }
}

extension FloorRule {
    /// Whether a call is in this floor's scope: its dialed number or its caller matches.
    public func applies(to call: CallContext) -> Bool {
        if let dialed, let number = call.dialed, NumberPattern.matchesAny(dialed, number) { return true }
        if let callers, let key = call.caller.key, NumberPattern.matchesAny(callers, key) { return true }
        return false
    }
}

extension Double {
    func rounded(places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
