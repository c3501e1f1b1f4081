/// Nuisance detection (policy `detection`): counts one caller's short calls and says when a rule's
/// threshold is reached. Each rule fires once per run of short calls, then starts counting again,
/// so N short calls make exactly one incident.
public struct ShortCallDetector: Sendable {
    /// Times of recent short calls, per detection rule, per caller.
    private var recent: [String: [String: [Double]]] = [:]

    public init() {}

    /// Notes an ended call; returns the rules whose threshold it reached.
    public mutating func callEnded(caller: String, startedAt: Double, endedAt: Double, endedBy: String?, rules: [DetectionRule]) -> [DetectionRule] {
        var fired: [DetectionRule] = []
        for rule in rules {
            guard endedAt - startedAt < rule.shorterThan, rule.endedBy == nil || rule.endedBy == endedBy else { continue }
            var times = (recent[rule.name]?[caller] ?? []).filter { endedAt - $0 <= rule.within }
            times.append(endedAt)
            if times.count >= rule.calls {
                fired.append(rule)
                times.removeAll()
            }
            recent[rule.name, default: [:]][caller] = times.isEmpty ? nil : times
        }
        return fired
    }

    /// Forgets runs that can no longer reach a threshold, so memory stays bounded.
    public mutating func prune(now: Double, rules: [DetectionRule]) {
        for rule in rules {
            recent[rule.name] = recent[rule.name]?.compactMapValues { times in
                let kept = times.filter { now - $0 <= rule.within }
                return kept.isEmpty ? nil : kept
            }
        }
        let names = Set(rules.map(\.name))
        recent = recent.filter { names.contains($0.key) }
    }

    public var trackedCallers: Int { recent.values.reduce(0) { $0 + $1.count } }
}
