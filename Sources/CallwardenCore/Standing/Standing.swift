import Foundation

/// A caller's standing: their decayed score and how many unforgiven incidents they have.
public struct Standing: Sendable, Equatable {
    /// Sum of unforgiven incidents' weights, each halved per half-life since it happened, less the
    /// credit of calm calls since; never below zero.
    public var score: Double
    /// Unforgiven incidents on record.
    public var incidents: Int

    public init(score: Double, incidents: Int) {
        self.score = score
        self.incidents = incidents
    }

    public static let clean = Standing(score: 0, incidents: 0)
}

extension Policy {
    /// The caller's standing at `now`, from their own history only.
    ///
    /// Each unforgiven incident adds its kind's weight times the caller-id weight of its call
    /// (`caller_id.weights`), halved per half-life. Light incidents inside a grace period after a
    /// forgiveness add nothing (`forgiveness.grace_below`); they are still counted in `incidents`.
    /// - Parameter kinds: count only these kinds (nil: all); calm-call credit applies either way.
    public func standing(of history: CallerHistory, at now: Double, kinds: Set<String>? = nil) -> Standing {
        var score = 0.0
        var count = 0
        // Both are false for a policy and caller that use neither: the loop stays as it was.
        let trustWeighted = !callerID.isNeutral
        let grace = history.grace
        for incident in history.incidents where !incident.forgiven {
            count += 1
            guard kinds?.contains(incident.kind) ?? true, let category = categories[incident.kind] else { continue }
            if let grace, grace.contains(incident.at), category.weight < forgiveness.graceBelow { continue }
            let weight = trustWeighted ? category.weight * callerID.weight(incident.trust) : category.weight
            score += decayed(weight, halfLife: category.halfLife, age: now - incident.at)
        }
        if standing.resolvedCallCredit > 0 {
            for resolved in history.resolvedCalls {
                score -= decayed(standing.resolvedCallCredit, halfLife: standing.creditHalfLife, age: now - resolved)
            }
        }
        return Standing(score: max(0, score), incidents: count)
    }

    /// Whether an incident counts towards routing (the `incidents` clause and reviews): it is not
    /// forgiven, not a light one inside a grace period, and its call's caller id is not weighted 0.
    public func counts(_ incident: IncidentSummary, in history: CallerHistory) -> Bool {
        guard !incident.forgiven else { return false }
        if let grace = history.grace, isGraced(incident, grace: grace) { return false }
        return callerID.weight(incident.trust) > 0
    }

    /// A light incident (its kind weighs less than `forgiveness.grace_below`) inside `grace`.
    func isGraced(_ incident: IncidentSummary, grace: GraceWindow) -> Bool {
        grace.contains(incident.at) && (categories[incident.kind]?.weight ?? 0) < forgiveness.graceBelow
    }

    /// What one incident adds to the caller's score at `now`, as `standing` counts it (for
    /// `explain`): 0 if forgiven or graced, else its decayed weight times its caller-id weight.
    public func weightNow(of incident: IncidentSummary, in history: CallerHistory, at now: Double) -> Double {
        guard !incident.forgiven else { return 0 }
        if let grace = history.grace, isGraced(incident, grace: grace) { return 0 }
        return decayedWeight(kind: incident.kind, at: incident.at, now: now) * callerID.weight(incident.trust)
    }

    /// The weight an incident of `kind` at `at` still carries at `now`, by its kind alone.
    public func decayedWeight(kind: String, at: Double, now: Double) -> Double {
        guard let category = categories[kind] else { return 0 }
        return decayed(category.weight, halfLife: category.halfLife, age: now - at)
    }

    private func decayed(_ weight: Double, halfLife: Double, age: Double) -> Double {
        // An event dated in the future (a switch's clock ahead of ours) counts as new, never more.
        weight * exp2(-max(0, age) / halfLife)
    }
}
