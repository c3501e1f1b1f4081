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
    /// Decides where a call goes: the first rule whose condition holds. Pure: the same history,
    /// time and policy give the same answer, which is what `explain` shows.
    /// - Parameter explain: fill each trail step's `detail` (for `explain`); routing leaves it empty
    ///   so the hot path builds no text.
    public func route(_ call: CallContext, history: CallerHistory, at now: Double, exemption: Exemption? = nil, explain: Bool = false) -> RouteDecision {
        let history = call.caller.key == nil ? CallerHistory() : history
        let overall = standing(of: history, at: now)
        var trail: [RuleTrailStep] = []
        trail.reserveCapacity(rules.count)
        for rule in rules {
            let (matched, detail) = evaluate(rule.condition, call: call, history: history, now: now, explain: explain)
            trail.append(RuleTrailStep(rule: rule.name, matched: matched, detail: detail))
            if matched {
                return RouteDecision(
                    route: rule.route, queue: rule.queue, priority: rule.priority, rule: rule.name,
                    reason: rule.reason, standing: overall, trail: trail
                )
            }
        }
        // The parser guarantees an unconditional last rule; this only guards a hand-built Policy.
        return RouteDecision(route: .normal, queue: "default", priority: 0, rule: "built-in", reason: "no rule matched", standing: overall, trail: trail)
    }

    private func evaluate(_ condition: RuleCondition?, call: CallContext, history: CallerHistory, now: Double, explain: Bool) -> (Bool, String) {
        guard let condition else { return (true, "default: applies to everyone else") }
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
        if let clause = condition.score {
            let score = standing(of: history, at: now, kinds: clause.kinds).score
            let ok = score >= clause.atLeast
            holds = holds && ok
            if explain { notes.append("score \(score.rounded(places: 3).policyText) \(ok ? ">=" : "<") \(clause.atLeast.policyText)\(Self.kindsNote(clause.kinds))") }
        }
        if let clause = condition.incidents {
            let count = history.incidents.reduce(0) { count, incident in
                let counts = !incident.forgiven
                    && (clause.kinds?.contains(incident.kind) ?? true)
                    && (clause.within.map { now - incident.at <= $0 } ?? true)
                return counts ? count + 1 : count
            }
            let ok = count >= clause.atLeast
            holds = holds && ok
            let window = clause.within.map { " within \(Self.durationText($0))" } ?? ""
            if explain { notes.append("\(count) incident(s)\(window) \(ok ? ">=" : "<") \(clause.atLeast)\(Self.kindsNote(clause.kinds))") }
        }
        return (holds, notes.joined(separator: "; "))
    }

    static func dialedPattern(_ pattern: String, matches number: String) -> Bool {
        pattern.hasSuffix("*") ? number.hasPrefix(pattern.dropLast()) : number == pattern
    }

    private static func kindsNote(_ kinds: Set<String>?) -> String {
        kinds.map { " (\($0.sorted().joined(separator: ", ")))" } ?? ""
    }

    /// `365d`, `10m`: durations shown as an operator wrote them.
    public static func durationText(_ seconds: Double) -> String {
        for unit in PolicyDuration.units.reversed() where seconds >= unit.seconds && seconds.truncatingRemainder(dividingBy: unit.seconds) == 0 {
            return "\((seconds / unit.seconds).policyText)\(unit.suffix)"
        }
        return "\(seconds.policyText)s"
    }
}

extension Double {
    func rounded(places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
