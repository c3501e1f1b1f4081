import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon under a stand-in for systemd: the notify socket, the watchdog and socket activation.
@Suite("Under a service manager, end to end")
struct ServiceManagerEndToEndTests {
    @Test("READY only once the socket answers; STATUS, watchdog pings, RELOADING around reloads, STOPPING on SIGTERM")
    func notifications() throws {
        let daemon = try Daemon()
        let shipped = try Daemon.shippedPolicyText()
        let policy = try daemon.usePolicy(shipped)
        let manager = try NotifyListener(directory: daemon.directory)
        // A one-second watchdog: pings are due every half second.
        try daemon.launch(environment: ["NOTIFY_SOCKET": manager.path, "WATCHDOG_USEC": "1000000"])

        let untilReady = try #require(manager.waitFor(timeout: 30) { $0.has("READY=1") }, "no READY=1: \(daemon.log)")
        // At the moment READY arrives, requests are already served.
        #expect(try daemon.request(["type": "status"]).ok)
        let status = try #require(untilReady.compactMap { $0.value("STATUS") }.last)
        #expect(status.contains("policy default"))
        #expect(status.contains("calls routed"))

        // Watchdog: pings keep coming (waits for three; the deadline only guards a hang).
        var pings = 0
        while pings < 3, manager.waitFor(timeout: 30, { $0.has("WATCHDOG=1") }) != nil { pings += 1 }
        #expect(pings == 3, "\(pings) watchdog pings before the guard deadline")

        // A good reload via SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1.
        daemon.signal(SIGHUP)
        let reload = try #require(manager.waitFor(timeout: 10) { $0.has("READY=1") })
        let reloading = try #require(reload.first { $0.has("RELOADING=1") })
        #expect(reloading.value("MONOTONIC_USEC").flatMap { UInt64($0) } != nil)

        // A refused reload (via the protocol): still RELOADING/READY, and the status says so.
        try (shipped + "\nnot_a_section: true\n").write(to: policy, atomically: true, encoding: .utf8)
        #expect(try daemon.request(["type": "reload"]).ok == false)
        let refused = try #require(manager.waitFor(timeout: 10) { $0.has("READY=1") })
        #expect(refused.contains { $0.has("RELOADING=1") })
        #expect(refused.compactMap { $0.value("STATUS") }.contains { $0.contains("refused") })

        daemon.signal(SIGTERM)
        #expect(manager.waitFor(timeout: 15) { $0.has("STOPPING=1") } != nil)
        #expect(daemon.stop() == 0)
    }

    @Test("A start failure tells the service manager why (STATUS and ERRNO)")
    func fatalStart() throws {
        let daemon = try Daemon(policy: "/nonexistent/policy.yaml")
        let manager = try NotifyListener(directory: daemon.directory)
        try daemon.launch(environment: ["NOTIFY_SOCKET": manager.path])
        let messages = try #require(manager.waitFor(timeout: 20) { $0.value("ERRNO") != nil })
        #expect(messages.last?.value("STATUS")?.contains("Cannot start") == true)
        #expect(daemon.waitForExit() == 78)
    }

    @Test("Socket activation: the daemon serves the socket systemd-socket-activate passes")
    func socketActivation() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate") else {
            Issue.record("systemd-socket-activate is missing (Debian package systemd)")
            return
        }
        let daemon = try Daemon()
        let activated = daemon.directory.appendingPathComponent("activated.sock").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        // The daemon's own --socket points elsewhere: it must serve what it was given instead.
        process.arguments = ["-l", activated, Daemon.executable] + daemon.arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var answer: [String: Any]?
        for _ in 0..<200 where answer == nil {
            answer = try? LineClient(path: activated).request(["type": "status", "id": 1])
            if answer == nil { usleep(50_000) }
        }
        #expect(answer?.ok == true)
        #expect(try LineClient(path: activated).request(["type": "call.offered", "call": "a", "caller": "+447700900123"]).string("route") == "normal")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
    }
}
