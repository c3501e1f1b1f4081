import CallwardenCore
import CallwardenLocking

extension Engine {
    /// The daemon's clock, seconds since 1970: what an event without `at` is dated.
    public func now() -> Double { clock() }

    /// The latest time an event may carry now: the daemon's clock plus the policy's
    /// `limits.clock_skew`. A switch's clock may run a little ahead of ours; an event dated
    /// further ahead would stay "new" and block expiry of the calls after it.
    public func latestEventTime() -> Double {
        now() + policy.policy.limits.clockSkew
    }
}

extension Engine {
    /// The alert commands since start: ran, running, waiting and dropped (for `status`).
    public var alertFigures: AlertRunner.Figures { alerts.figures }
}

/// What the metrics endpoint reads of the engine at each scrape.
public struct EngineGauges: Sendable, Equatable {
    public var openCalls: Int
    /// The record cannot be written: writes are refused, routing goes on from memory.
    public var recordDegraded: Bool
}

extension Engine {
    /// Calls open and whether the record is degraded: one short hold of the lock that reads two
    /// values (as `statusLine()` does for the service manager), so a scrape never stalls a decision.
    public func gauges() -> EngineGauges {
        state.withLock { EngineGauges(openCalls: $0.calls.count, recordDegraded: $0.degraded != nil) }
    }
}
