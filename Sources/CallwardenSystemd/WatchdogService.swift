import Logging
import ServiceLifecycle

/// Pings systemd's watchdog (`WATCHDOG=1`) only while the daemon proves it still answers.
///
/// A timer that pings on its own would keep a wedged daemon alive forever. Instead, every half
/// watchdog interval this service runs the probe the daemon gave it (a round trip through the
/// engine) and pings only if the probe returned `true` in time. If the probe fails, times out or
/// never returns, no ping goes out, and systemd kills and restarts the service when `WatchdogSec=`
/// runs out (`Restart=on-failure`).
///
/// The service ends on graceful shutdown. A probe that never returns holds this service's shutdown
/// too; systemd's `TimeoutStopSec=` then ends the process, which is right for a wedged daemon.
public struct WatchdogService: Service {
    private let interval: Duration
    private let probeTimeout: Duration
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let probe: @Sendable () async -> Bool

    /// - Parameters:
    ///   - interval: The unit's watchdog interval, from ``Watchdog/interval()``.
    ///   - probeTimeout: How long one probe may take before it counts as failed. Defaults to a
    ///     quarter of `interval`: a ping can then come at most three quarters of an interval after
    ///     the previous one, which leaves a margin for scheduling delays. Capped at half the
    ///     interval, the time between probes.
    ///   - notifier: Where pings go.
    ///   - logger: Receives a warning each time a ping is withheld, with the reason.
    ///   - probe: Returns `true` when the daemon answered a real request. It should honour task
    ///     cancellation, which is how a late probe is abandoned.
    public init(
        interval: Duration,
        probeTimeout: Duration? = nil,
        notifier: SystemdNotifier = SystemdNotifier(),
        logger: Logger,
        probe: @escaping @Sendable () async -> Bool
    ) {
        precondition(interval > .zero, "the watchdog interval must be positive")
        let period = interval / 2
        self.interval = interval
        self.probeTimeout = min(probeTimeout ?? interval / 4, period)
        self.notifier = notifier
        self.logger = logger
        self.probe = probe
    }

    /// How often the probe runs and, when it succeeds, a ping is sent: half the interval, as
    /// `sd_watchdog_enabled(3)` advises.
    public var period: Duration { interval / 2 }

    /// Runs until graceful shutdown or cancellation, then returns normally: stopping is not a
    /// failure of this service.
    public func run() async {
        // cancelWhenGracefulShutdown turns graceful shutdown into cancellation of the loop, which
        // then ends at its next sleep or probe. Pings are not needed while stopping: systemd stops
        // the watchdog once the unit leaves the running state.
        await cancelWhenGracefulShutdown {
            await self.pingWhileHealthy()
        }
    }

    private func pingWhileHealthy() async {
        let clock = ContinuousClock()
        var tick = clock.now
        while !Task.isCancelled {
            await probeAndPing(clock: clock)
            // Ticks are scheduled from the previous tick, not from the end of the probe, so that
            // slow probes do not make pings drift further apart.
            tick = tick.advanced(by: period)
            if tick < clock.now {
                tick = clock.now
            }
            // Throws only when cancelled, which the loop's condition then sees.
            try? await Task.sleep(until: tick, clock: clock)
        }
    }

    private enum ProbeOutcome: Sendable {
        case healthy, unhealthy, timedOut, cancelled
    }

    /// Runs one probe against its deadline and pings if it succeeded.
    ///
    /// The outcome is acted on inside the task group, before the group waits for its children:
    /// a probe that ignores cancellation keeps the group open, but the warning is already out.
    private func probeAndPing(clock: ContinuousClock) async {
        let probe = self.probe
        let deadline = clock.now.advanced(by: probeTimeout)
        await withTaskGroup(of: ProbeOutcome.self) { group in
            group.addTask {
                await probe() ? .healthy : .unhealthy
            }
            group.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: clock)
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            // During shutdown a probe may fail only because it was cancelled: that proves nothing.
            guard !Task.isCancelled else { return }
            switch first {
            case .healthy:
                notifier.watchdogPing()
            case .unhealthy:
                logger.warning(
                    "Watchdog probe failed; not pinging systemd",
                    metadata: ["watchdog.interval": "\(interval)"]
                )
            case .timedOut:
                logger.warning(
                    "Watchdog probe did not answer in time; not pinging systemd",
                    metadata: [
                        "watchdog.interval": "\(interval)",
                        "watchdog.probe_timeout": "\(probeTimeout)",
                    ]
                )
            case .cancelled:
                break
            }
        }
    }
}
