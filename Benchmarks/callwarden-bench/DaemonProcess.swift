import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real callwardend, started as an operator would (socket, policy, state directory, log level
/// info unless told otherwise) on a temporary socket, with its log in a file.
///
/// The benchmark also plays systemd's part in one respect: it passes `NOTIFY_SOCKET`, so the
/// daemon's own `READY=1` says when it is ready, exactly as `systemctl start` would see it.
final class DaemonProcess {
    struct Started {
        /// From spawning the process to its `READY=1`.
        var ready: Double
        /// From spawning the process to the answer of the first request.
        var firstAnswer: Double
        var answer: String
    }

    let executable: String
    let policy: String
    let socketPath: String
    let stateDirectory: String
    let logPath: String
    let notifyPath: String
    let logLevel: String
    /// More options for callwardend (`--metrics`).
    let extraArguments: [String]
    private var process: Process?

    init(executable: String, policy: String, directory: String, stateDirectory: String, logLevel: String = "info", extraArguments: [String] = []) {
        self.executable = executable
        self.extraArguments = extraArguments
        self.logLevel = logLevel
        self.policy = policy
        self.stateDirectory = stateDirectory
        socketPath = directory + "/callwarden.sock"
        logPath = directory + "/callwardend.log"
        notifyPath = directory + "/notify.sock"
    }

    var pid: Int32? { process?.processIdentifier }

    /// Starts the daemon, waits for `READY=1`, then sends `probe` and waits for its answer.
    func start(probe: String, timeout: Double = 120) throws -> Started {
        let notify = try NotifySocket(path: notifyPath)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--socket", socketPath, "--policy", policy, "--state-dir", stateDirectory, "--log-level", logLevel] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            environment.removeValue(forKey: name)
        }
        environment["NOTIFY_SOCKET"] = notifyPath
        process.environment = environment
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        let spawned = Monotonic.nanoseconds()
        try process.run()
        Scratch.adopt(child: process.processIdentifier)
        self.process = process
        let deadline = spawned + UInt64(timeout * 1e9)
        guard let readyAt = notify.waitFor("READY=1", until: deadline, alive: { process.isRunning }) else {
            throw UnixSocket.Failure(description: process.isRunning ? "callwardend sent no READY=1 within \(timeout) s" : "callwardend exited (status \(process.terminationStatus)) before READY=1:\n\(logTail())")
        }
        let socket = try UnixSocket.waitForServer(at: socketPath, until: deadline) { process.isRunning }
        let answer = try socket.request(probe)
        let answeredAt = Monotonic.nanoseconds()
        return Started(ready: Double(readyAt - spawned) / 1e9, firstAnswer: Double(answeredAt - spawned) / 1e9, answer: answer)
    }

    /// Resident memory now, in bytes (`VmRSS` of /proc/PID/status).
    func residentBytes() -> Int? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return nil
    }

    /// SIGTERM, as `systemctl stop` sends; waits for the exit. Returns the exit status and seconds.
    @discardableResult
    func stop() -> (status: Int32, seconds: Double) {
        guard let process else { return (-1, 0) }
        let start = Monotonic.nanoseconds()
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        Scratch.release(child: process.processIdentifier)
        self.process = nil
        return (process.terminationStatus, Monotonic.seconds(since: start))
    }

    /// The record's files (main file, WAL, shared memory), in bytes.
    func storeBytes() -> (file: Int, wal: Int) {
        func size(_ name: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: stateDirectory + "/" + name))?[.size] as? NSNumber)?.intValue ?? 0
        }
        return (size("callwarden.sqlite"), size("callwarden.sqlite-wal"))
    }

    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// The datagram socket a service manager gives a notify service (`NOTIFY_SOCKET`).
final class NotifySocket {
    let fd: Int32
    let path: String

    init(path: String) throws {
        unlink(path)
        self.path = path
        do {
            fd = try UnixSocketAddress.bindDatagram(path)
        } catch {
            throw UnixSocket.Failure(description: "bind \(error)")
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The monotonic time at which a message holding `assignment` arrived, or nil.
    func waitFor(_ assignment: String, until deadline: UInt64, alive: () -> Bool) -> UInt64? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Monotonic.nanoseconds() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 5) > 0 {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                let arrived = Monotonic.nanoseconds()
                if count > 0, String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").contains(Substring(assignment)) {
                    return arrived
                }
            } else if !alive() {
                return nil
            }
        }
        return nil
    }
}
