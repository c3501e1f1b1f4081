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
    /// - Parameter kinds: count only these kinds (nil: all); calm-call credit applies either way.
    public func standing(of history: CallerHistory, at now: Double, kinds: Set<String>? = nil) -> Standing {
        var score = 0.0
        var count = 0
        for incident in history.incidents where !incident.forgiven {
            count += 1
            guard kinds?.contains(incident.kind) ?? true, let category = categories[incident.kind] else { continue }
            score += decayed(category.weight, halfLife: category.halfLife, age: now - incident.at)
        }
        if standing.resolvedCallCredit > 0 {
            for resolved in history.resolvedCalls {
                score -= decayed(standing.resolvedCallCredit, halfLife: standing.creditHalfLife, age: now - resolved)
            }
        }
        return Standing(score: max(0, score), incidents: count)
    }

    /// The weight an incident of `kind` at `at` still carries at `now`.
    public func decayedWeight(kind: String, at: Double, now: Double) -> Double {
        guard let category = categories[kind] else { return 0 }
        return decayed(category.weight, halfLife: category.halfLife, age: now - at)
    }

    private func decayed(_ weight: Double, halfLife: Double, age: Double) -> Double {
        // An event dated in the future (a switch's clock ahead of ours) counts as new, never more.
        weight * exp2(-max(0, age) / halfLife)
    }
}
