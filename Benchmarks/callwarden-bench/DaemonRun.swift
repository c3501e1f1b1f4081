import Foundation

/// What the benchmark measures of callwardend itself, besides the loads.
struct DaemonFigures {
    var pid: Int32 = 0
    var emptyStart: DaemonProcess.Started?
    var emptyResident: Int?
    /// Seeding: durable abuse reports per second, 100% abuse over the abuse connections.
    var seeding: LoadResult?
    var seededIncidents = 0
    var residentAfterSeeding: Int?
    /// The restart with K callers on record.
    var loadedStart: DaemonProcess.Started?
    var loadedResident: Int?
    var trackedCallers: Int?
    /// Time for one `status` answer with K callers (it counts the record's entries).
    var statusSeconds: Double?
    var stopSeconds: Double?
    var stopStatus: Int32?
    var store: (file: Int, wal: Int) = (0, 0)
    var residentAfterLoads: Int?
    var loads: [LoadSuite.Load: LoadResult] = [:]
    var reusedRecord = false
    /// `offered-open` again, while a retention purge runs.
    var duringPurge: DuringPurge.Figures?
    /// With `--metrics`: the scrapes made during the loads.
    var scrapes: MetricsScraper.Figures?
}

/// The daemon's part of a run: empty start, seeding, restart with K callers, loads, stop.
struct DaemonRun {
    let executable: String
    let policy: String
    let directory: String
    let stateDirectory: String?
    let logLevel: String
    let suite: LoadSuite
    let quick: Bool
    /// Run the daemon with `--metrics` and scrape it during the loads.
    var metrics = false

    func run() throws -> DaemonFigures {
        var figures = DaemonFigures()
        let population = suite.population
        let firstCaller = "+44\(population.nationalNumber(population.indexWithHistory(0)))"
        let probe = #"{"type":"call.offered","id":"probe","call":"probe-1","caller":"\#(firstCaller)"}"#

        // 1. The empty daemon: start-up and resident memory with nothing on record.
        let empty = DaemonProcess(executable: executable, policy: policy, directory: directory, stateDirectory: directory + "/empty-state", logLevel: logLevel)
        Report.progress("callwardend, empty record...")
        figures.emptyStart = try empty.start(probe: probe)
        figures.emptyResident = empty.residentBytes()
        empty.stop()
        Scratch.removeDirectory(directory + "/empty-state")

        // 2. Seed K callers with history over the socket, unless a kept record is reused.
        let state = stateDirectory ?? directory + "/state"
        // A copy of the policy of its own: the purge step rewrites it with a retention rule.
        let ownPolicy = directory + "/policy.yaml"
        try? FileManager.default.removeItem(atPath: ownPolicy)
        try FileManager.default.copyItem(atPath: policy, toPath: ownPolicy)
        let metricsSocket = directory + "/metrics.sock"
        let daemon = DaemonProcess(
            executable: executable, policy: ownPolicy, directory: directory, stateDirectory: state, logLevel: logLevel,
            extraArguments: metrics ? ["--metrics", "unix:" + metricsSocket] : [])
        figures.reusedRecord = FileManager.default.fileExists(atPath: state + "/callwarden.sqlite")
        if figures.reusedRecord {
            Report.progress("callwardend, reusing the record in \(state) (no seeding)")
        } else {
            _ = try daemon.start(probe: probe)
            let total = SeedHistory.totalIncidents(callers: population.withHistory)
            Report.progress("Seeding \(population.withHistory) callers with history (\(total) incidents) over \(suite.settings.abuseConnections) connections...")
            let now = UInt64(Date().timeIntervalSince1970)
            let plan = ClosedLoop.Plan(name: "seed", connections: suite.settings.abuseConnections, window: 256, warmup: 0, duration: nil, recordLatency: false)
            let seeding = ClosedLoop.run(plan, socketPath: daemon.socketPath) { connection in
                SeedHistory(population: population, connection: connection, connections: plan.connections, now: now)
            }
            figures.seeding = seeding
            figures.seededIncidents = seeding.answered
            figures.residentAfterSeeding = daemon.residentBytes()
            Report.progress("  seeded: \(Report.summary(seeding))")
            if let error = seeding.error { throw BenchFailure("seeding failed: \(error)\n\(daemon.logTail())") }
            if seeding.failures > 0 { throw BenchFailure("seeding: \(seeding.failures) reports refused, first: \(seeding.firstFailure ?? "?")") }
            let stopped = daemon.stop()
            guard stopped.status == 0 else { throw BenchFailure("callwardend exited \(stopped.status) on SIGTERM after seeding:\n\(daemon.logTail())") }
        }
        figures.store = daemon.storeBytes()

        // 3. Restart with K callers on record: time to READY and to the first answer.
        Report.progress("callwardend, restart with \(population.withHistory) callers on record...")
        let loaded = try daemon.start(probe: probe)
        figures.loadedStart = loaded
        figures.pid = daemon.pid ?? 0
        figures.loadedResident = daemon.residentBytes()
        Report.progress("  pid \(figures.pid): READY after \(Report.seconds(loaded.ready)), first answer after \(Report.seconds(loaded.firstAnswer))")
        guard let standing = Self.incidents(inAnswer: loaded.answer), standing > 0 else {
            throw BenchFailure("the first caller seeded has no history after the restart: \(loaded.answer)")
        }
        let statusStart = Monotonic.nanoseconds()
        let status = try UnixSocket(path: daemon.socketPath).request(#"{"type":"status","id":"s"}"#)
        figures.statusSeconds = Monotonic.seconds(since: statusStart)
        figures.trackedCallers = Self.trackedCallers(inStatus: status)

        // 4. The loads (with --metrics, while a scraper reads the endpoint ten times a second).
        let scraper = metrics ? MetricsScraper(path: metricsSocket) : nil
        scraper?.start()
        figures.loads = suite.run(socketPath: daemon.socketPath, server: "callwardend", pid: daemon.pid, seed: 1)
        figures.scrapes = scraper?.stop()
        if let scrapes = figures.scrapes {
            Report.progress("  metrics: \(scrapes.scrapes) scrapes (\(scrapes.failures) failed), \(scrapes.bytes) bytes each, slowest \(Report.seconds(scrapes.slowest))")
            if scrapes.scrapes == 0 || scrapes.failures > 0 { throw BenchFailure("the metrics endpoint did not answer every scrape:\n\(daemon.logTail())") }
        }
        figures.residentAfterLoads = daemon.residentBytes()

        // 5. Routing while retention purges (last: it deletes part of the seeded history).
        if suite.loads.contains(.offeredOpen) {
            Report.progress("callwardend, offered-open while a retention purge runs...")
            let during = try DuringPurge(settings: suite.settings, population: population).run(socketPath: daemon.socketPath, policyFile: ownPolicy)
            figures.duringPurge = during
            Report.progress("  offered-during-purge: \(Report.summary(during.load)); purge: \(during.purgedIncidents.map(String.init) ?? "?") incidents in \(during.purgeSeconds.map(Report.seconds) ?? "?")")
        }
        let stopped = daemon.stop()
        figures.stopSeconds = stopped.seconds
        figures.stopStatus = stopped.status
        if stopped.status != 0 { Report.progress("callwardend exited \(stopped.status) on SIGTERM:\n\(daemon.logTail())") }
        return figures
    }

    static func incidents(inAnswer line: String) -> Int? {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return ((object?["standing"] as? [String: Any])?["incidents"] as? NSNumber)?.intValue
    }

    static func trackedCallers(inStatus line: String) -> Int? {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return ((object?["store"] as? [String: Any])?["callers"] as? NSNumber)?.intValue
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
