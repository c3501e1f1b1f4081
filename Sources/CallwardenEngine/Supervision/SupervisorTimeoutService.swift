import ServiceLifecycle

/// Announces supervisor requests that time out: sleeps until the earliest pending deadline (or
/// until a new request or a reload may have brought one nearer), then times out whatever is due.
/// The ladder itself needs no help to authorise the hang-up at the deadline; this is so that the
/// supervisors watching, and the journal, are told when it happens rather than at the agent's
/// next request.
public struct SupervisorTimeoutService: Service {
    let engine: Engine
    /// The longest sleep without a look, should a wake-up ever be missed.
    let longestSleep: Duration

    public init(engine: Engine, longestSleep: Duration = .seconds(300)) {
        self.engine = engine
        self.longestSleep = longestSleep
    }

    /// How long to sleep until `deadline`: deadlines come from event times and the policy, within
    /// their bounds; the wait is held between a millisecond and the longest sleep before it
    /// becomes a Duration.
    func sleep(until deadline: Double) -> Duration {
        let seconds = deadline - engine.now()
        let limit = Double(longestSleep.components.seconds)
        guard seconds.isFinite else { return longestSleep }
        return .milliseconds(Int64((min(max(seconds, 0.001), limit) * 1000).rounded(.up)))
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let next = engine.timeOutSupervisorRequests()
            let sleep = next.map(sleep(until:)) ?? longestSleep
            // Cancelled (the daemon stops) or rung, the wait ends at once and the loop looks again.
            await cancelWhenGracefulShutdown { await engine.deadlines.wait(upTo: sleep) }
        }
    }
}
