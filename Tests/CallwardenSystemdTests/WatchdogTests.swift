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

    /// Each test waits for the thing it checks (pings, warnings) and asserts on what happened,
    /// never on how long it took: the deadlines are only guards against a hang.
    @Suite("Watchdog service")
    struct WatchdogServiceTests {

        /// Runs the service until `done` says so (or the guard deadline passes), then cancels it,
        /// and returns the datagrams sent.
        private func run(
            interval: Duration = .milliseconds(200),
            logger: Logger = .silent,
            until done: @escaping @Sendable (_ datagrams: Int) -> Bool,
            probe: @escaping @Sendable () async -> Bool
        ) async throws -> [String] {
            let socket = try NotifySocket()
            let service = WatchdogService(interval: interval, logger: logger, probe: probe)
            var received: [String] = []
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await service.run() }
                let deadline = ContinuousClock.now.advanced(by: .seconds(60))
                // Polls without blocking and sleeps between polls: a blocking wait here would hold
                // one of the few shared worker threads that the service itself needs to run,
                // while other tests may be holding the rest.
                while !done(received.count), ContinuousClock.now < deadline {
                    let messages = socket.drain()
                    if messages.isEmpty { try? await Task.sleep(for: .milliseconds(20)) }
                    received += messages
                }
                group.cancelAll()
            }
            return received + socket.drain()
        }

        @Test func healthyProbe_pingsRepeatedly() async throws {
            let messages = try await run(until: { $0 >= 5 }) { true }
            #expect(messages.count >= 5)
            #expect(Set(messages) == ["WATCHDOG=1"])
        }

        @Test func failingProbe_neverPings_andSaysWhy() async throws {
            let recorder = LogRecorder()
            let messages = try await run(logger: recorder.logger(), until: { _ in recorder.entries.filter { $0.level == .warning }.count >= 2 }) {
                false
            }
            #expect(messages.isEmpty)
            let warnings = recorder.entries.filter { $0.level == .warning }
            #expect(warnings.count >= 2)
            #expect(warnings.allSatisfy { $0.message.contains("probe failed") })
        }

        @Test func hangingProbe_neverPings_andSaysWhy() async throws {
            let recorder = LogRecorder()
            let messages = try await run(logger: recorder.logger(), until: { _ in recorder.entries.filter { $0.level == .warning }.count >= 2 }) {
                // Wedged, but honours cancellation like a well-behaved probe.
                try? await Task.sleep(for: .seconds(60))
                return true
            }
            #expect(messages.isEmpty)
            let warnings = recorder.entries.filter { $0.level == .warning }
            #expect(warnings.count >= 2)
            #expect(warnings.allSatisfy { $0.message.contains("did not answer in time") })
        }

        @Test func probeThatRecovers_resumesPinging_onlyOnceHealthy() async throws {
            let calls = Atomic<Int>(0)
            let messages = try await run(until: { $0 >= 2 }) {
                // Unhealthy for the first three probes, healthy afterwards.
                calls.add(1, ordering: .relaxed).newValue > 3
            }
            #expect(messages.count >= 2)
            // Every ping followed a healthy probe: at most one per probe from the fourth on.
            #expect(messages.count <= calls.load(ordering: .relaxed) - 3)
        }

        @Test func gracefulShutdown_endsTheService() async throws {
            let socket = try NotifySocket()
            let service = WatchdogService(interval: .milliseconds(200), logger: .silent) { true }
            let group = ServiceGroup(services: [service], logger: .silent)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Shut down once the service has shown it runs.
                #expect(socket.receive(timeout: .seconds(60)) == "WATCHDOG=1")
                await group.triggerGracefulShutdown()
                // Returns only if the service ended: the test's own time limit guards a hang.
                try await tasks.waitForAll()
            }
        }

        @Test func period_isHalfTheInterval() {
            let service = WatchdogService(interval: .seconds(30), logger: .silent) { true }
            #expect(service.period == .seconds(15))
        }
    }
}
