import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for one test: a fresh cluster made by initdb in a temporary
/// directory, run by `postgres` itself, listening only on a Unix socket in a private directory
/// (no TCP at all), with scram-sha-256 password authentication for the role `callwarden` and a
/// database of the same name.
///
/// As root the server runs as `nobody` (initdb and postgres refuse root); otherwise as the user
/// running the tests. It is stopped and its directory removed by `close()` or when it is freed.
public final class PostgresServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The role and the database the tests use.
    public static let user = "callwarden"
    public static let database = "callwarden"

    /// The temporary directory holding everything: `data`, `socket`, `password`, `server.log`.
    public let directory: String
    /// The directory of the server's Unix socket (mode 0755).
    public let socketDirectory: String
    /// The port naming the socket (`.s.PGSQL.PORT`); no TCP port is opened.
    public let port: Int
    public let password: String
    /// A file holding the password and nothing else (mode 0644), as an operator would keep one.
    public let passwordFile: String
    /// The shared record's address for callwarden: `postgres://callwarden@/callwarden?host=DIR&port=PORT`.
    public var address: String { "postgres://\(Self.user)@/\(Self.database)?host=\(socketDirectory)&port=\(port)" }

    let binDirectory: String
    let dataDirectory: String
    let logPath: String
    /// Who runs the server: nobody's uid and gid as root, nil otherwise.
    let runAs: (uid: uid_t, gid: gid_t)?
    private var process: Process?

    /// How long `start` waits for the server to accept a login before giving up: only a guard,
    /// far beyond the second or so it takes.
    public static let startDeadline: Duration = .seconds(90)

    // MARK: Whether it can run here

    /// The newest `/usr/lib/postgresql/VERSION/bin` holding initdb, postgres and psql, or nil.
    public static var installedBinDirectory: String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let sorted = versions.compactMap { name in Int(name).map { ($0, name) } }.sorted { $0.0 > $1.0 }
        for (_, name) in sorted {
            let bin = "\(root)/\(name)/bin"
            if ["initdb", "postgres", "psql"].allSatisfy({ FileManager.default.isExecutableFile(atPath: "\(bin)/\($0)") }) { return bin }
        }
        return nil
    }

    /// Whether tests that need PostgreSQL run: where it is installed, always; where it is not,
    /// they are skipped on a developer's machine, but under `CI=true` they run and fail saying
    /// what is missing (CI installs postgresql-15), unless `CALLWARDEN_ALLOW_SKIP` names
    /// `postgresql` (as Tests/CallwardenEndToEndTests/Prerequisite.swift does for other tools).
    public static var runs: Bool {
        if installedBinDirectory != nil { return true }
        let environment = ProcessInfo.processInfo.environment
        guard environment["CI"] == "true" else { return false }
        let allowed = (environment["CALLWARDEN_ALLOW_SKIP"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return !allowed.contains("postgresql")
    }

    public static let missing = "PostgreSQL is not installed (initdb, postgres and psql under /usr/lib/postgresql/VERSION/bin; apt-get install postgresql-15)"

    // MARK: Life

    /// Makes the cluster (initdb, then the database in single-user mode); does not start it.
    public init() throws {
        guard let bin = Self.installedBinDirectory else { throw Failure(Self.missing) }
        binDirectory = bin
        if getuid() == 0 {
            guard let nobody = getpwnam("nobody") else { throw Failure("there is no user nobody to run PostgreSQL as") }
            runAs = (nobody.pointee.pw_uid, nobody.pointee.pw_gid)
        } else {
            runAs = nil
        }
        // Directly under /tmp: a socket's path must fit in 107 bytes, and TMPDIR can be long.
        var template = Array("/tmp/callwarden-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure("mkdtemp: \(String(cString: strerror(errno)))") }
        directory = String(cString: made)
        socketDirectory = directory + "/socket"
        dataDirectory = directory + "/data"
        passwordFile = directory + "/password"
        logPath = directory + "/server.log"
        port = Int.random(in: 20_000...29_999)
        password = (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        do {
            try prepareDirectories()
            try runToCompletion("initdb", [
                "--pgdata=\(dataDirectory)", "--username=\(Self.user)", "--pwfile=\(passwordFile)",
                "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions",
            ])
            // Single-user mode needs no login: the database is made before anyone can connect.
            try runToCompletion("postgres", ["--single", "-D", dataDirectory, "postgres"], input: "CREATE DATABASE \(Self.database);\n")
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        close()
    }

    /// Starts the server and returns once a login with the password succeeds (psql over the
    /// socket), with `startDeadline` as a guard only.
    @discardableResult
    public func start() throws -> PostgresServer {
        guard process == nil else { return self }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let server = Process()
        server.currentDirectoryURL = URL(fileURLWithPath: directory)
        let arguments = [
            "-D", dataDirectory, "-k", socketDirectory, "-p", String(port),
            // No TCP at all: the socket directory is the only way in.
            "-c", "listen_addresses=",
            // A killed server loses nothing the kernel has; only a machine crash would, and the
            // cluster does not outlive the test. Commits still wait for their WAL write.
            "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "max_connections=40", "-c", "shared_buffers=16MB",
        ]
        (server.executableURL, server.arguments) = command(binDirectory + "/postgres", arguments, execs: true)
        server.standardOutput = log
        server.standardError = log
        server.standardInput = FileHandle.nullDevice
        try server.run()
        process = server
        let deadline = ContinuousClock.now + Self.startDeadline
        while true {
            if !server.isRunning {
                process = nil
                throw Failure("postgres exited with status \(server.terminationStatus) before accepting logins: \(logTail())")
            }
            if let answer = try? psql("SELECT 1"), answer == "1" { return self }
            guard ContinuousClock.now < deadline else {
                stop(immediate: true)
                throw Failure("postgres did not accept a login within \(Self.startDeadline): \(logTail())")
            }
            usleep(50_000)
        }
    }

    /// Stops the server: a fast shutdown (SIGINT: sessions are ended, everything committed is
    /// kept), or an immediate one (SIGQUIT: as if the server crashed), and waits for it to exit.
    public func stop(immediate: Bool = false) {
        guard let server = process else { return }
        // A frozen server would never act on the signal.
        thaw()
        process = nil
        if server.isRunning { kill(server.processIdentifier, immediate ? SIGQUIT : SIGINT) }
        server.waitUntilExit()
    }

    /// Stops the server and removes its directory.
    public func close() {
        stop()
        if FileManager.default.fileExists(atPath: directory) { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Whether the server process is running.
    public var isRunning: Bool { process?.isRunning ?? false }

    // MARK: By hand

    /// Runs SQL with psql as `callwarden`, over the socket with the password, as an operator
    /// would: how tests edit the shared record by hand. Returns the output, unaligned and
    /// without headers, trimmed; throws with psql's error when it fails.
    @discardableResult
    public func psql(_ sql: String) throws -> String {
        let result = try Self.run(
            binDirectory + "/psql",
            ["--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--set=ON_ERROR_STOP=1",
             "--host=\(socketDirectory)", "--port=\(port)", "--username=\(Self.user)", "--dbname=\(Self.database)", "--command=\(sql)"],
            environment: ["PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"]
        )
        guard result.status == 0 else { throw Failure("psql \(sql.prefix(80)): \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Keeps a copy of the stopped server's data directory, for `restoreData()`.
    public func saveData() throws {
        guard process == nil else { throw Failure("saveData needs the server stopped") }
        try? FileManager.default.removeItem(atPath: savedDataDirectory)
        try copyPreservingOwners(dataDirectory, to: savedDataDirectory)
    }

    /// Puts the copy `saveData()` kept in place of the stopped server's data: started again, the
    /// server has lost every transaction committed since, as a standby promoted by a failover
    /// without synchronous replication would have.
    public func restoreData() throws {
        guard process == nil else { throw Failure("restoreData needs the server stopped") }
        try FileManager.default.removeItem(atPath: dataDirectory)
        try copyPreservingOwners(savedDataDirectory, to: dataDirectory)
    }

    private var savedDataDirectory: String { directory + "/saved-data" }

    private func copyPreservingOwners(_ source: String, to destination: String) throws {
        let result = try Self.run("/bin/cp", ["-a", source, destination])
        guard result.status == 0 else { throw Failure("cp -a \(source) \(destination): \(result.output)") }
    }

    /// Stops the server and every one of its processes in place (SIGSTOP): connections stay open
    /// and nothing answers, as with a machine that hangs or a network partition. `thaw()` resumes.
    public func freeze() {
        signalAll(SIGSTOP)
    }

    /// Resumes a server `freeze()` stopped.
    public func thaw() {
        signalAll(SIGCONT)
    }

    /// Sends `signal` to the server and to each process it started (its backends and workers).
    private func signalAll(_ signal: Int32) {
        guard let server = process else { return }
        let postmaster = server.processIdentifier
        kill(postmaster, signal)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After the command's closing parenthesis: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { kill(pid, signal) }
        }
    }

    /// The psql sessions `openSession(holding:)` started, by the name they give the server.
    private var sessions: [Process] = []
    static let holderName = "callwarden-test-holder"

    /// Runs `sql` in a psql session of its own, inside a transaction that stays open (holding
    /// whatever locks `sql` took) until `endSessions()`: how tests make PostgreSQL keep another
    /// client's statement waiting, as a server that stopped answering would. Returns once the
    /// session is holding, with `startDeadline` as a guard only.
    public func openSession(holding sql: String) throws {
        let session = Process()
        session.executableURL = URL(fileURLWithPath: binDirectory + "/psql")
        session.arguments = [
            "--no-psqlrc", "--quiet", "--host=\(socketDirectory)", "--port=\(port)", "--username=\(Self.user)", "--dbname=\(Self.database)",
            "--command=BEGIN; \(sql); SELECT pg_sleep(3600)",
        ]
        session.environment = ProcessInfo.processInfo.environment.merging(["PGPASSWORD": password, "PGAPPNAME": Self.holderName]) { $1 }
        session.standardOutput = FileHandle.nullDevice
        session.standardError = FileHandle.nullDevice
        session.standardInput = FileHandle.nullDevice
        try session.run()
        sessions.append(session)
        let deadline = ContinuousClock.now + Self.startDeadline
        while try psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(Self.holderName)' AND wait_event = 'PgSleep'") == "0" {
            guard session.isRunning, ContinuousClock.now < deadline else { throw Failure("the holding session did not start: \(logTail())") }
            usleep(20_000)
        }
    }

    /// Ends every session `openSession(holding:)` started: their transactions roll back and
    /// their locks are released.
    public func endSessions() throws {
        try psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(Self.holderName)'")
        for session in sessions { session.waitUntilExit() }
        sessions.removeAll()
    }

    /// How many sessions are waiting for a lock: tests wait on this to know that a client's
    /// statement is held.
    public func sessionsWaitingForLocks() throws -> Int {
        Int(try psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) ?? 0
    }

    /// The end of the server's log, for a failure's message.
    public func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(2_000))
    }

    // MARK: Parts

    private func prepareDirectories() throws {
        let files = FileManager.default
        // Everyone may pass through and read the socket directory and the password file; only
        // the server's user may enter its data directory (initdb and postgres insist on 0700).
        try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        try files.createDirectory(atPath: socketDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        try files.createDirectory(atPath: dataDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        guard files.createFile(atPath: passwordFile, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o644]),
              files.createFile(atPath: logPath, contents: nil, attributes: [.posixPermissions: 0o644]) else {
            throw Failure("cannot create files in \(directory)")
        }
        if let runAs {
            for path in [socketDirectory, dataDirectory] {
                guard chown(path, runAs.uid, runAs.gid) == 0 else { throw Failure("chown \(path): \(String(cString: strerror(errno)))") }
            }
        }
    }

    /// The program and arguments that run `executable` as the server's user: through
    /// `runuser -u nobody --` as root for one-off commands; through `setpriv`, which execs in
    /// place, for the server itself, so that the process the tests signal is postgres.
    private func command(_ executable: String, _ arguments: [String], execs: Bool = false) -> (URL, [String]) {
        guard let runAs else { return (URL(fileURLWithPath: executable), arguments) }
        if execs {
            return (URL(fileURLWithPath: "/usr/bin/setpriv"), ["--reuid=\(runAs.uid)", "--regid=\(runAs.gid)", "--clear-groups", "--", executable] + arguments)
        }
        return (URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", "nobody", "--", executable] + arguments)
    }

    private func runToCompletion(_ program: String, _ arguments: [String], input: String = "") throws {
        let (executable, fullArguments) = command(binDirectory + "/" + program, arguments)
        let result = try Self.run(executable.path, fullArguments, input: input, directory: directory)
        guard result.status == 0 else { throw Failure("\(program) failed (status \(result.status)): \(result.output.suffix(2_000))") }
    }

    /// Runs a program to its end, its output (stdout and stderr together) in a file rather than
    /// a pipe, so that a chatty program cannot stall on a full pipe.
    static func run(_ executable: String, _ arguments: [String], input: String = "", environment: [String: String] = [:], directory: String? = nil) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "callwarden-pg-out-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else { throw Failure("cannot create \(outputPath)") }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }
}
