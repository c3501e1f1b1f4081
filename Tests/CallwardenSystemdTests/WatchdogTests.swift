#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import CallwardenSystemd

extension ProcessEnvironmentTests {
    @Suite("Watchdog interval")
    struct WatchdogIntervalTests {
        @Test func interval_fromWATCHDOG_USEC_forThisProcess() {
            setenv("WATCHDOG_USEC", "30000000", 1)
            setenv("WATCHDOG_PID", "\(getpid())", 1)
            defer { unsetenv("WATCHDOG_USEC"); unsetenv("WATCHDOG_PID") }
            #expect(Watchdog.interval() == .seconds(30))
            // Left in place: asking twice gives the same answer.
            #expect(Watchdog.interval() == .seconds(30))
        }

        @Test func interval_isNil_forAnotherProcess() {
            setenv("WATCHDOG_USEC", "30000000", 1)
            setenv("WATCHDOG_PID", "\(getpid() + 1)", 1)
            defer { unsetenv("WATCHDOG_USEC"); unsetenv("WATCHDOG_PID") }
            #expect(Watchdog.interval() == nil)
        }

        @Test func interval_isNil_whenWatchdogIsOff() {
            unsetenv("WATCHDOG_USEC")
            unsetenv("WATCHDOG_PID")
            #expect(Watchdog.interval() == nil)
        }
    }

    /// Timing here is deliberately loose: the machine may be busy, so counts have wide bounds and
    /// nothing asserts a precise instant.
    @Suite("Watchdog service")
    struct WatchdogServiceTests {
        /// Runs the service for `duration`, then cancels it, and returns the datagrams sent.
        private func pings(
            interval: Duration,
            for duration: Duration,
            logger: Logger = .silent,
            probe: @escaping @Sendable () async -> Bool
        ) async throws -> [String] {
            let socket = try NotifySocket()
            let service = WatchdogService(interval: interval, logger: logger, probe: probe)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await service.run() }
                try? await Task.sleep(for: duration)
                group.cancelAll()
            }
            return socket.drain()
        }

        @Test func healthyProbe_pingsAboutEveryHalfInterval() async throws {
            // 200 ms interval: a probe and a ping every 100 ms, about 10 in a second.
            let messages = try await pings(interval: .milliseconds(200), for: .seconds(1)) { true }
            #expect(Set(messages) == ["WATCHDOG=1"])
            #expect((4...14).contains(messages.count), "got \(messages.count) pings")
        }

        @Test func failingProbe_neverPings_andSaysWhy() async throws {
            let recorder = LogRecorder()
            let messages = try await pings(interval: .milliseconds(200), for: .milliseconds(700), logger: recorder.logger()) {
                false
            }
            #expect(messages.isEmpty)
            let warnings = recorder.entries.filter { $0.level == .warning }
            #expect(warnings.count >= 2)
            #expect(warnings.allSatisfy { $0.message.contains("probe failed") })
        }

        @Test func hangingProbe_neverPings_andSaysWhy() async throws {
            let recorder = LogRecorder()
            let messages = try await pings(interval: .milliseconds(200), for: .milliseconds(700), logger: recorder.logger()) {
                // Wedged, but honours cancellation like a well-behaved probe.
                try? await Task.sleep(for: .seconds(60))
                return true
            }
            #expect(messages.isEmpty)
            let warnings = recorder.entries.filter { $0.level == .warning }
            #expect(warnings.count >= 2)
            #expect(warnings.allSatisfy { $0.message.contains("did not answer in time") })
        }

        @Test func probeThatRecovers_resumesPinging() async throws {
            let calls = Atomic<Int>(0)
            let messages = try await pings(interval: .milliseconds(200), for: .seconds(1)) {
                // Unhealthy for the first three probes, healthy afterwards.
                calls.add(1, ordering: .relaxed).newValue > 3
            }
            #expect(!messages.isEmpty)
            #expect(messages.count <= 8, "got \(messages.count) pings")
        }

        @Test func gracefulShutdown_endsTheService() async throws {
            let socket = try NotifySocket()
            let service = WatchdogService(interval: .milliseconds(200), logger: .silent) { true }
            let group = ServiceGroup(services: [service], logger: .silent)
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await Task.sleep(for: .milliseconds(350))
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
            #expect(elapsed < .seconds(5))
            #expect(!socket.drain().isEmpty)
        }

        @Test func period_isHalfTheInterval() {
            let service = WatchdogService(interval: .seconds(30), logger: .silent) { true }
            #expect(service.period == .seconds(15))
        }
    }
}
