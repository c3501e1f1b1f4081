import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real callwardend binary, started on a temporary socket and state directory.
/// Unchecked: a test touches it from one task at a time, except to kill it from another.
final class Daemon: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let stateDirectory: String
    var policyPath: String
    private(set) var process: Process?
    private let logPath: String
    private var extraEnvironment: [String: String]

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var shippedPolicy: String { packageRoot.appendingPathComponent("Config/policy.yaml").path }

    static func shippedPolicyText() throws -> String {
        try String(contentsOfFile: shippedPolicy, encoding: .utf8)
    }

    /// Writes `text` as this daemon's own policy file, in its directory, and points it there (for
    /// tests that edit or reload the policy).
    @discardableResult
    func usePolicy(_ text: String) throws -> URL {
        let file = directory.appendingPathComponent("policy.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        policyPath = file.path
        return file
    }

    /// The built daemon: beside the test bundle (swift test builds every product), or as named by
    /// CALLWARDEND.
    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["CALLWARDEND"] { return path }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("callwardend").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return packageRoot.appendingPathComponent(".build/debug/callwardend").path
    }

    init(policy: String = Daemon.shippedPolicy, environment: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("callwarden.sock").path
        stateDirectory = directory.appendingPathComponent("state").path
        logPath = directory.appendingPathComponent("daemon.log").path
        policyPath = policy
        extraEnvironment = environment
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    var arguments: [String] { ["--socket", socketPath, "--policy", policyPath, "--state-dir", stateDirectory, "--log-level", "debug"] }

    /// Starts the daemon and waits until its socket answers.
    @discardableResult
    func start(timeout: Double = 20, extraArguments: [String] = []) throws -> Self {
        try launch(extraArguments: extraArguments)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if process?.isRunning != true { throw DaemonFailed(log: self.log) }
            if (try? LineClient(path: socketPath)) != nil { return self }
            usleep(20_000)
        }
        throw DaemonFailed(log: "not answering after \(timeout)s\n" + self.log)
    }

    /// Starts the daemon without waiting for it.
    func launch(extraArguments: [String] = [], environment extra: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment.removeValue(forKey: "LISTEN_FDS")
        environment.removeValue(forKey: "JOURNAL_STREAM")
        environment.merge(extraEnvironment) { $1 }
        environment.merge(extra) { $1 }
        process.environment = environment
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
    }

    /// SIGTERM, then waits for a clean exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process else { return -1 }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// Waits for the daemon to exit by itself; returns its exit status.
    func waitForExit() -> Int32 {
        guard let process else { return -1 }
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// SIGKILL: no chance to flush or clean up.
    func killHard() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func signal(_ number: Int32) {
        if let process { kill(process.processIdentifier, number) }
    }

    /// The daemon's resident set size (VmRSS), in KiB.
    func residentKiB() -> Int? {
        guard let pid = process?.processIdentifier,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func client() throws -> LineClient { try LineClient(path: socketPath) }

    /// Sends one request and returns its response.
    func request(_ object: [String: Any]) throws -> [String: Any] {
        try client().request(object)
    }

    struct DaemonFailed: Error, CustomStringConvertible {
        var log: String
        var description: String { "callwardend did not start:\n\(log)" }
    }
}

/// Runs callwardend with arguments and returns its exit status and output (for --check-policy).
func runDaemonCommand(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Daemon.executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
