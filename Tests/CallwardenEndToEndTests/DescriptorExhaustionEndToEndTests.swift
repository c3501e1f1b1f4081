import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon out of file descriptors: run under a small RLIMIT_NOFILE (prlimit) and flooded with
/// connections.
@Suite("Out of file descriptors, end to end", .enabled(if: Command.find("prlimit") != nil, "needs prlimit to start the daemon with few descriptors"))
struct DescriptorExhaustionEndToEndTests {
    /// The refusal a client gets when the daemon has no descriptor left for it.
    static let refusal = "out of file descriptors"

    @Test("Out of descriptors, waiting clients are refused with a clear line at a bounded pace, and service resumes when descriptors free up")
    func exhaustion() throws {
        let daemon = try Daemon()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Command.find("prlimit")!)
        process.arguments = ["--nofile=64:64", Daemon.executable] + daemon.arguments
        let logPath = daemon.directory.appendingPathComponent("limited.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = process.standardError
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        #expect(ConnectionBoundsEndToEndTests.eventually(within: 30) { (try? LineClient(path: daemon.socketPath))?.fd != nil })

        // Far more connections than descriptors: the rest wait in the listen queue.
        var clients = try (0..<150).map { _ in try LineClient(path: daemon.socketPath, timeoutSeconds: 60) }
        var refusals = 0
        func collectRefusals(until wanted: Int, within seconds: Double) {
            let deadline = Date().addingTimeInterval(seconds)
            while refusals < wanted, Date() < deadline {
                var fds = clients.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
                guard poll(&fds, nfds_t(fds.count), 1000) > 0 else { continue }
                for (index, entry) in fds.enumerated().reversed() where entry.revents & Int16(POLLIN) != 0 {
                    if let line = try? clients[index].readLine(), line.contains(Self.refusal) { refusals += 1 }
                    clients.remove(at: index)
                }
            }
        }
        collectRefusals(until: 1, within: 60)
        #expect(refusals >= 1, "no client was told the daemon is out of descriptors\n\(log())")
        let failuresBefore = log().components(separatedBy: "Accept failed").count
        let refusalsBefore = refusals
        collectRefusals(until: 4, within: 60)
        #expect(refusals >= 4)
        // Each refusal waits out the accept back-off, with a few failed accepts around it; a
        // spinning loop fails thousands of times between two refusals. Counted per refusal, not
        // per second: no duration is asserted.
        let failures = log().components(separatedBy: "Accept failed").count - failuresBefore
        let allowed = 200 * (refusals - refusalsBefore + 1)
        #expect(failures <= allowed, "\(failures) failed accepts while \(allowed) were allowed")
        #expect(log().contains("Out of file descriptors"))

        clients.removeAll()
        let served = ConnectionBoundsEndToEndTests.eventually(within: 60) {
            (try? LineClient(path: daemon.socketPath, timeoutSeconds: 5).request(["type": "status"]).ok) == true
        }
        #expect(served, "not served again once descriptors were free\n\(log())")
    }
}
