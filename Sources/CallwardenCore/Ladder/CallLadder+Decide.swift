extension CallLadder {
    /// Whether the agent may end the call at `now`, under `policy`, with the words for the agent.
    /// Pure: asking the supervisor is the caller's to record (see `recordSupervisorAsked`).
    public func decide(at now: Double, policy: Policy) -> HangupDecision {
        var decision = ruling(at: now, policy: policy)
        decision.say = say(for: decision, at: now, policy: policy)
        return decision
    }

    /// The words for the agent with `decision`: the warning script while a warning is wanted, the
    /// end-call text once hang-up is authorised, each as the kind of abuse that decided words it
    /// (the kind that skipped the ladder, else the call's latest abuse).
    func say(for decision: HangupDecision, at now: Double, policy: Policy) -> String? {
        let abuse = self.abuse.filter { $0.at <= now }
        let kind = decision.rule == "immediate"
            ? abuse.first(where: { policy.categories[$0.kind]?.skipsLadder == true })?.kind
            : abuse.max(by: { $0.at < $1.at })?.kind
        let words = policy.words(for: kind)
        switch decision.answer {
        case .authorised: return words.endCall
        case .denied where decision.rule == "warning-required": return words.warning
        case .denied, .supervisorRequired: return nil
        }
    }

    /// The ladder's answer alone.
    private func ruling(at now: Double, policy: Policy) -> HangupDecision {
        // Only what had happened by the time of the request counts.
        let abuse = self.abuse.filter { $0.at <= now }
        if let immediate = abuse.first(where: { policy.categories[$0.kind]?.skipsLadder == true }) {
            return HangupDecision(
                answer: .authorised, rule: "immediate",
                reason: "A \(immediate.kind.replacingUnderscores) was recorded: disengage now, explain nothing; authority has been alerted.")
        }
        guard let first = abuse.min(by: { $0.at < $1.at }) else {
            return HangupDecision(
                answer: .denied, rule: "no-abuse",
                reason: "No abuse is recorded in this call: anger alone is not abuse. Record the abuse first if there is any.")
        }
        let rules = effectiveRules(for: Set(abuse.map(\.kind)), policy: policy)
        let ventEnds = first.at + rules.vent
        if now < ventEnds {
            return HangupDecision(
                answer: .denied, rule: "vent",
                reason: "The caller may vent for \(Policy.durationText(rules.vent)) after the first abuse; \(Policy.durationText((ventEnds - now).rounded(.up))) left. Acknowledge, clarify, respond.")
        }
        // Abuse that counts toward ending the call: after a warning when one is required.
        var counting = abuse
        if rules.warningRequired {
            guard let warning = warnings.filter({ $0 <= now }).min() else {
                return HangupDecision(
                    answer: .denied, rule: "warning-required",
                    reason: "Warn the caller first: tell them the call will end if the abuse goes on.")
            }
            counting = abuse.filter { $0.at > warning }
            guard !counting.isEmpty else {
                return HangupDecision(
                    answer: .denied, rule: "abuse-after-warning",
                    reason: "The caller has been warned; no abuse is recorded since the warning.")
            }
        }
        guard rules.supervisorRequired else {
            return HangupDecision(
                answer: .authorised, rule: rules.warningRequired ? "warned-and-continued" : "abuse-recorded",
                reason: "The ladder has been followed: thank the caller and end the call.")
        }
        if let verdict = verdicts.filter({ $0.at <= now }).max(by: { $0.at < $1.at }) {
            switch verdict.verdict {
            case .approve:
                return HangupDecision(answer: .authorised, rule: "supervisor-approved", reason: "A supervisor approved ending the call.")
            case .deny where !counting.contains(where: { $0.at > verdict.at }):
                return HangupDecision(
                    answer: .denied, rule: "supervisor-denied",
                    reason: "A supervisor chose to continue the call; they may take it over.")
            case .deny:
                break  // The abuse went on after the supervisor said no: they must be asked again.
            }
        }
        if policy.ladder.supervisorTimeout > 0, let asked = supervisorAskedAt, now >= asked + policy.ladder.supervisorTimeout {
            return HangupDecision(
                answer: .authorised, rule: "supervisor-timeout",
                reason: "No supervisor answered within \(Policy.durationText(policy.ladder.supervisorTimeout)); the agent may end the call.")
        }
        return HangupDecision(
            answer: .supervisorRequired, rule: "supervisor-required",
            reason: "Abuse went on after the warning: a supervisor must approve before the call ends.")
    }

    /// The shortest ladder among the kinds of abuse in the call (a nuisance call need not vent).
    func effectiveRules(for kinds: Set<String>, policy: Policy) -> LadderRules {
        let ladders = kinds.compactMap { policy.categories[$0] }.map { policy.ladder.applying($0.ladder) }
        guard var rules = ladders.first else { return policy.ladder }
        for other in ladders.dropFirst() {
            rules.vent = min(rules.vent, other.vent)
            rules.warningRequired = rules.warningRequired && other.warningRequired
            rules.supervisorRequired = rules.supervisorRequired && other.supervisorRequired
        }
        return rules
    }
}

extension String {
    var replacingUnderscores: String { split(separator: "_").joined(separator: " ") }
}
