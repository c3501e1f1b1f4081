import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Alert commands run at most four at once with 64 waiting; beyond that an alert is logged and
/// counted, never silently lost.
@Suite("Alert command queue, end to end")
struct AlertQueueEndToEndTests {
    /// Polls `status` until `done` holds for its `alerts` object, with a generous guard.
    static func waitForAlerts(_ daemon: Daemon, _ done: ([String: Int]) -> Bool) throws -> [String: Int] {
        let deadline = Date().addingTimeInterval(60)
        var alerts: [String: Int] = [:]
        while Date() < deadline {
            alerts = try daemon.request(["type": "status"])["alerts"] as? [String: Int] ?? [:]
            if done(alerts) { return alerts }
            usleep(20_000)
        }
        Issue.record("alerts never reached the expected state: \(alerts)")
        return alerts
    }

    @Test("70 physical threats while the commands hang: 4 run, 64 wait, 2 are logged and counted; the 68 all run once released")
    func boundedQueue() throws {
        let daemon = try Daemon()
        let release = daemon.directory.appendingPathComponent("release").path
        let script = daemon.directory.appendingPathComponent("page-security").path
        // Holds its slot until the test releases it.
        let command = try AlertScript.write("while [ ! -e '\(release)' ]; do sleep 0.05; done\n", to: script)
        try daemon.usePolicy(try Daemon.shippedPolicyText() + "\nalert:\n  command: \(command)\n  timeout: 10m\n")
        try daemon.start()
        defer { FileManager.default.createFile(atPath: release, contents: nil) }

        let client = try daemon.client()
        let threats = (0..<70).map { #"{"type":"abuse","caller":"+4477009005\#(String(format: "%02d", $0))","kind":"physical_threat","id":\#($0)}"# }
        try client.send(raw: threats.joined(separator: "\n") + "\n")
        for _ in threats { #expect(try client.readResponse()["alert"] as? Bool == true) }

        let held = try Self.waitForAlerts(daemon) { $0["dropped"] == 2 }
        #expect(held == ["ran": 0, "running": 4, "waiting": 64, "dropped": 2])
        #expect(daemon.log.contains("Alert command not run: 4 already running and 64 waiting"))

        FileManager.default.createFile(atPath: release, contents: nil)
        let drained = try Self.waitForAlerts(daemon) { $0["ran"] == 68 }
        #expect(drained == ["ran": 68, "running": 0, "waiting": 0, "dropped": 2])
    }
}
