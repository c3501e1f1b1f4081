import ArgumentParser
import Foundation

/// callwarden-bench: measures callwardend against its performance targets (docs/performance.md).
///
/// One run: the pure decision path (microbenchmark), then the same loads against the floor
/// server and against the real daemon, back to back, with K callers with history seeded over the
/// socket; it prints every figure, its ratio to the floor, and each target with PASS or MISS.
@main
struct CallwardenBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callwarden-bench",
        abstract: "Benchmarks callwardend over its Unix socket against a do-nothing floor server.",
        discussion: """
            Starts the real daemon on a temporary socket and state directory with the shipped \
            policy, seeds K callers with history, drives it with open-loop (fixed rate) and \
            closed-loop (pipelined) loads, and runs the same loads against a floor server that \
            answers every line with a fixed line. Stops by itself; removes its temporary files. \
            See docs/performance.md.
            """)

    @Option(help: ArgumentHelp("The callwardend to benchmark (default: the one beside this program).", valueName: "path"))
    var daemon: String?

    @Option(help: ArgumentHelp("The policy file (default: Config/policy.yaml of the source tree).", valueName: "file"))
    var policy: String?

    @Option(help: "Callers with history to seed (default 1000000; 100000 with --quick).")
    var callers: Int?

    @Flag(help: "A short run (under 45 s): 100,000 callers, shorter loads.")
    var quick = false

    @Flag(help: "Run the loads against the floor server only (checks the client's own capacity).")
    var floor = false

    @Option(help: "Seconds each load is measured (default 5; 1.2 with --quick), after a warm-up.")
    var duration: Double?

    @Option(help: "Open-loop rate, requests per second.")
    var rate: Double = 20_000

    @Option(name: .customLong("open-connections"), help: "Connections of the open-loop loads.")
    var openConnections = 4

    @Option(name: .customLong("closed-connections"), help: "Connections of the call.offered closed-loop loads.")
    var closedConnections = 4

    @Option(help: "Requests outstanding per connection in the call.offered closed-loop loads.")
    var window = 128

    @Option(name: .customLong("abuse-connections"), help: "Connections of the abuse-heavy load and of seeding.")
    var abuseConnections = 16

    @Option(name: .customLong("abuse-window"), help: "Requests outstanding per connection in the abuse-heavy load.")
    var abuseWindow = 64

    @Option(help: ArgumentHelp("Loads to run, comma-separated (default: all): \(LoadSuite.Load.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "names"))
    var loads: String?

    @Option(name: .customLong("log-level"), help: "The daemon's --log-level (its default, info, is what operators run).")
    var logLevel = "info"

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Keep the seeded record here and reuse it on the next run (seeding is skipped when it exists). Default: a temporary directory.", valueName: "dir"))
    var stateDirectory: String?

    @Flag(name: .customLong("skip-floor"), help: "Skip the floor server (no ratios; for profiling the daemon).")
    var skipFloor = false

    @Flag(name: .customLong("skip-micro"), help: "Skip the decision-path microbenchmark.")
    var skipMicro = false

    @Flag(name: .customLong("micro-only"), help: "Run only the decision-path microbenchmark.")
    var microOnly = false

    @Flag(name: .customLong("skip-replay"), help: "Skip the policy-test replay step.")
    var skipReplay = false

    @Flag(name: .customLong("replay-only"), help: "Run only the policy-test replay step.")
    var replayOnly = false

    @Flag(help: "Run callwardend with --metrics on a Unix socket and scrape it 10 times a second during its loads (compare routing with a run without).")
    var metrics = false
    @Flag(name: .customLong("skip-report"), help: "Skip the report step (counting a year of the replay's record).")
    var skipReport = false

    @Flag(name: .customLong("report-only"), help: "Run only the report step, on the replay's record (--replay-dir keeps it).")
    var reportOnly = false

    @Option(name: .customLong("replay-dir"), help: ArgumentHelp("Keep the replay step's record here and reuse it on the next run (writing it is skipped when it exists). Default: a temporary directory.", valueName: "dir"))
    var replayDirectory: String?

    func validate() throws {
        if floor, skipFloor { throw ValidationError("--floor and --skip-floor exclude each other") }
        if replayOnly, skipReplay || microOnly { throw ValidationError("--replay-only excludes --skip-replay and --micro-only") }
        if reportOnly, replayOnly || skipReport || microOnly { throw ValidationError("--report-only excludes --replay-only, --skip-report and --micro-only") }
        if let callers, callers < 1 { throw ValidationError("--callers must be at least 1") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        guard rate > 0, openConnections > 0, closedConnections > 0, window > 0, abuseConnections > 0, abuseWindow > 0 else {
            throw ValidationError("rates, connections and windows must be positive")
        }
        // The daemon reads at most 1024 requests ahead per connection; a larger window only queues
        // in the socket.
        guard window <= 1024, abuseWindow <= 1024 else { throw ValidationError("windows above 1024 exceed the daemon's own per-connection window") }
        _ = try selectedLoads()
    }

    func selectedLoads() throws -> [LoadSuite.Load] {
        guard let loads else { return LoadSuite.Load.allCases }
        return try loads.split(separator: ",").map { name in
            guard let load = LoadSuite.Load(rawValue: String(name)) else { throw ValidationError("unknown load '\(name)'") }
            return load
        }
    }

    func run() throws {
        Scratch.cleanUpOnSignals()
        defer { Scratch.cleanUp() }
        let callers = callers ?? (quick ? 100_000 : 1_000_000)
        let settings = LoadSuite.Settings(
            rate: rate, openConnections: openConnections, closedConnections: closedConnections, window: window,
            abuseConnections: abuseConnections, abuseWindow: abuseWindow,
            warmup: quick ? 0.3 : 0.5, duration: duration ?? (quick ? 1.2 : 5))
        let suite = LoadSuite(settings: settings, population: Population(withHistory: callers), loads: try selectedLoads())
        let policyPath = try Locations.policy(policy)
        var report = Report(callers: callers, suite: suite)
        report.header()

        if !skipReplay || reportOnly {
            report.replay = try ReplayStep.run(
                callers: callers, policyPath: policyPath, keepIn: replayDirectory, replay: !skipReplay && !reportOnly, report: !skipReport)
            if replayOnly || reportOnly {
                report.printReplay()
                return
            }
        }

        if !skipMicro {
            Report.progress("Decision path (in process, best of several rounds)...")
            report.micro = try DecisionMicrobench.run(policyPath: policyPath, callersWithHistory: callers, quick: quick)
            if microOnly {
                report.printMicro()
                return
            }
        }

        let directory = try Scratch.makeDirectory("cwbench")
        if !skipFloor {
            Report.progress("Floor server...")
            let floorServer = try FloorServer(path: directory + "/floor.sock")
            report.floor = suite.run(socketPath: directory + "/floor.sock", server: "floor", pid: nil, seed: 1)
            floorServer.stop()
        }

        if !floor {
            report.daemon = try DaemonRun(
                executable: try Locations.daemon(daemon), policy: policyPath, directory: directory,
                stateDirectory: stateDirectory, logLevel: logLevel, suite: suite, quick: quick, metrics: metrics
            ).run()
        }
        report.printAll()
    }
}

/// Where the daemon and the policy are when not given.
enum Locations {
    static func daemon(_ given: String?) throws -> String {
        let path = given ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("callwardend").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("no callwardend at \(path); build it (swift build -c release --product callwardend) or pass --daemon")
        }
        return path
    }

    /// Config/policy.yaml in the current directory or in the source tree above this program.
    static func policy(_ given: String?) throws -> String {
        if let given { return given }
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let candidates = [directory] + sequence(first: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()) {
            let parent = $0.deletingLastPathComponent()
            return parent.path == $0.path ? nil : parent
        }
        for candidate in candidates {
            directory = candidate
            let path = directory.appendingPathComponent("Config/policy.yaml").path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw ValidationError("cannot find Config/policy.yaml; pass --policy")
    }
}
