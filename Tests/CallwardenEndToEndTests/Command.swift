import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a program printed and how it exited.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs programs the tests need: callwardenctl (beside the test bundle, like the daemon),
/// sqlite3, python3, socat, and any of them as another user through setpriv.
enum Command {
    /// The built callwardenctl: beside the test bundle, or as named by CALLWARDENCTL.
    static var callwardenctl: String {
        if let path = ProcessInfo.processInfo.environment["CALLWARDENCTL"] { return path }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("callwardenctl").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return Daemon.packageRoot.appendingPathComponent(".build/debug/callwardenctl").path
    }

    /// A program found on PATH (or in the usual system directories), or nil.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments`, feeding `input` on standard input.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> CommandResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cw-out-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("out").path
        let errPath = scratch.appendingPathComponent("err").path
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CALLWARDEN_SOCKET")
        env.merge(environment) { $1 }
        process.environment = env
        // Files rather than pipes: a chatty program cannot fill a pipe and stall the test.
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// callwardenctl against the daemon's socket.
    @discardableResult
    static func ctl(_ daemon: Daemon, _ arguments: [String]) throws -> CommandResult {
        try run(callwardenctl, arguments, environment: ["CALLWARDEN_SOCKET": daemon.socketPath])
    }

    /// Runs a program as another user, with that user's groups (`setpriv --init-groups`).
    static func asUser(_ user: TestUser, _ executable: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> CommandResult {
        try run("/usr/bin/setpriv", ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--init-groups", executable] + arguments, input: input, environment: environment)
    }
}
