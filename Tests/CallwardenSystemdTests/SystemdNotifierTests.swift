#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import CallwardenSystemd

extension ProcessEnvironmentTests {
    @Suite("systemd notifier")
    struct SystemdNotifierTests {
        let notifier = SystemdNotifier()

        @Test func ready_sendsREADY() throws {
            let socket = try NotifySocket()
            #expect(notifier.ready())
            #expect(socket.receive() == "READY=1")
        }

        @Test func status_isOneLine() throws {
            let socket = try NotifySocket()
            #expect(notifier.status("Serving 3 connections;\npolicy default (a1b2c3d4)."))
            #expect(socket.receive() == "STATUS=Serving 3 connections; policy default (a1b2c3d4).")
        }

        @Test func reloading_sendsMonotonicTimestamp() throws {
            let socket = try NotifySocket()
            let before = SystemdNotifier.monotonicMicroseconds()
            #expect(notifier.reloading())
            let after = SystemdNotifier.monotonicMicroseconds()

            let message = try #require(socket.receive())
            let lines = message.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            #expect(lines.first == "RELOADING=1")
            let stamp = try #require(lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
            #expect(stamp >= before && stamp <= after)
        }

        @Test func monotonicMicroseconds_matchesCLOCK_MONOTONIC() {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let reference = UInt64(now.tv_sec) * 1_000_000
            let ours = SystemdNotifier.monotonicMicroseconds()
            // Same clock, read a moment later: not boot time, not wall-clock time.
            #expect(ours >= reference && ours < reference + 5_000_000)
        }

        @Test func stopping_watchdog_fatal_andRawAssignments() throws {
            let socket = try NotifySocket()
            notifier.stopping()
            #expect(socket.receive() == "STOPPING=1")
            notifier.watchdogPing()
            #expect(socket.receive() == "WATCHDOG=1")
            notifier.fatal(errno: ENOENT, status: "Policy file\n/etc/callwarden/policy.yaml is missing.")
            #expect(socket.receive() == "STATUS=Policy file /etc/callwarden/policy.yaml is missing.\nERRNO=\(ENOENT)")
            notifier.send(["STATUS=Reloading policy.", "RELOADING=1"])
            #expect(socket.receive() == "STATUS=Reloading policy.\nRELOADING=1")
        }

        @Test func withoutNotifySocket_isANoOp() {
            unsetenv("NOTIFY_SOCKET")
            #expect(!notifier.ready())
            #expect(!notifier.status("nobody listens"))
        }

        @Test func environmentIsKept_soLaterNotificationsArrive() throws {
            let socket = try NotifySocket()
            notifier.ready()
            notifier.ready()
            #expect(socket.drain() == ["READY=1", "READY=1"])
            #expect(getenv("NOTIFY_SOCKET") != nil)
        }
    }
}
