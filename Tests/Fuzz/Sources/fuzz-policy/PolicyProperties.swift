import CallwardenCore

/// What a policy that passed the check promises the daemon: every number within its bounds, and
/// the computations the daemon makes from it finite.
enum PolicyProperties {
    static func check(_ policy: Policy) {
        require(!policy.categories.isEmpty, "no categories")
        require(policy.categories["anger"] == nil, "anger was made a kind")
        for category in policy.categories.values {
            within(category.weight, PolicyBounds.weight, "weight")
            within(category.halfLife, PolicyBounds.halfLife, "half_life")
            if let vent = category.ladder.vent { within(vent, PolicyBounds.vent, "kind's vent") }
        }
        within(policy.standing.resolvedCallCredit, PolicyBounds.weight, "resolved_call_credit")
        within(policy.standing.creditHalfLife, PolicyBounds.halfLife, "credit_half_life")
        require(!policy.rules.isEmpty && policy.rules.last?.condition == nil, "the last rule has a condition")
        require(policy.rules.dropLast().allSatisfy { $0.condition != nil }, "a rule before the last has no condition")
        require(Set(policy.rules.map(\.name)).count == policy.rules.count, "two rules share a name")
        require(policy.rules.last.map { $0.route == .normal && !$0.shadow && $0.unless == nil } ?? false, "the last rule may not decide normal")
        for rule in policy.rules {
            require(PolicyBounds.priority.contains(rule.priority), "priority out of bounds")
            if let review = rule.review {
                within(review, PolicyBounds.review, "review")
                require(rule.route != .normal, "a normal route under review")
            }
            if let score = rule.condition?.score { within(score.atLeast, PolicyBounds.scoreThreshold, "score.at_least") }
            if let incidents = rule.condition?.incidents {
                require(PolicyBounds.incidentCount.contains(incidents.atLeast), "incidents.at_least out of bounds")
                if let window = incidents.within { within(window, PolicyBounds.incidentWindow, "incidents.within") }
            }
        }
        within(policy.ladder.vent, PolicyBounds.vent, "vent")
        within(policy.ladder.supervisorTimeout, PolicyBounds.supervisorTimeout, "supervisor_timeout")
        within(policy.ladder.maxCallLength, PolicyBounds.maxCallLength, "max_call_length")
        if let alert = policy.alert {
            within(alert.timeout, PolicyBounds.alertTimeout, "alert.timeout")
            require(alert.command.first?.hasPrefix("/") == true, "an alert program that is not an absolute path")
        }
        for rule in policy.detection {
            require(PolicyBounds.detectionCalls.contains(rule.calls), "detection calls out of bounds")
            within(rule.within, PolicyBounds.detectionWindow, "detection within")
            within(rule.shorterThan, PolicyBounds.shortCall, "detection shorter_than")
            require(policy.categories[rule.kind] != nil, "detection names an unknown kind")
        }
        if let forgiven = policy.retention.forgiven { within(forgiven, PolicyBounds.retention, "retention.forgiven") }
        if let faded = policy.retention.faded { within(faded, PolicyBounds.retention, "retention.faded") }
        within(policy.retention.fadedBelow, PolicyBounds.weight, "faded_below")
        within(policy.limits.clockSkew, PolicyBounds.clockSkew, "clock_skew")
        for trust in CallerIDTrust.allCases { within(policy.callerID.weight(trust), PolicyBounds.callerIDWeight, "caller_id weight") }
        within(policy.forgiveness.grace, PolicyBounds.grace, "forgiveness.grace")
        within(policy.forgiveness.graceBelow, PolicyBounds.weight, "forgiveness.grace_below")
        for floorRule in policy.floor {
            require(!floorRule.never.isEmpty && !floorRule.never.contains(.normal), "a floor that forbids nothing, or normal")
            require(floorRule.dialed != nil || floorRule.callers != nil, "a floor with no scope")
        }
        exercise(policy)
    }

    /// Standing, routing and the texts the daemon makes from the policy, at the far ends of the
    /// event window: all finite, all without trapping.
    static func exercise(_ policy: Policy) {
        let latest = 253_402_300_799.0
        var incidents: [IncidentSummary] = []
        for (index, kind) in policy.kindNames.enumerated() {
            incidents.append(IncidentSummary(id: Int64(2 * index + 1), kind: kind, at: 0))
            incidents.append(IncidentSummary(id: Int64(2 * index + 2), kind: kind, at: latest))
        }
        let history = CallerHistory(incidents: incidents, resolvedCalls: [0, latest])
        // A number in each floor's dialed scope besides one outside them all.
        let dialedNumbers = ["+448001234567"] + policy.floor.flatMap { floorRule in
            (floorRule.dialed ?? []).map { String($0.prefix { $0 != "*" }) }
        }
        for now in [0, 1_800_000_000, latest] {
            let standing = policy.standing(of: history, at: now)
            require(standing.score.isFinite && standing.score >= 0, "score \(standing.score)")
            for caller in ["+447700900123", "anonymous", "", "sip:a@b", "00447700900123"] {
                for dialed in dialedNumbers {
                    let call = CallContext(caller: policy.numbering.normalise(caller), dialed: dialed, trust: .c)
                    let decision = policy.route(call, history: history, at: now, explain: true)
                    require(policy.rules.contains { $0.name == decision.rule }, "decided by an unknown rule")
                    require(decision.standing.score.isFinite, "a decision's score is not finite")
                    // A policy that passed the floor check never breaks its floor.
                    require(!policy.floor.contains { $0.never.contains(decision.route) && $0.applies(to: call) }, "the floor was broken")
                }
            }
        }
        for seconds in [policy.ladder.vent, policy.ladder.supervisorTimeout, policy.ladder.maxCallLength, policy.limits.clockSkew] {
            _ = Policy.durationText(seconds)
            // The daemon turns these into whole microseconds and Durations.
            require(Int64(exactly: (seconds * 1_000_000).rounded()) != nil, "\(seconds)s is not whole microseconds")
        }
        for retention in [policy.retention.forgiven, policy.retention.faded].compactMap({ $0 }) {
            require(Int64(exactly: ((latest - retention) * 1_000_000).rounded()) != nil, "retention \(retention) overflows microseconds")
        }
    }

    static func within(_ value: Double, _ bounds: ClosedRange<Double>, _ name: String) {
        require(value.isFinite && bounds.contains(value), "\(name) \(value) outside \(bounds)")
    }
}
