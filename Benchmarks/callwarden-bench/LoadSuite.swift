/// The loads run against each server, the floor and callwardend alike, in this order. Names are
/// what `--loads` takes and what the report prints.
struct LoadSuite {
    struct Settings {
        var rate: Double
        var openConnections: Int
        var closedConnections: Int
        var window: Int
        var abuseConnections: Int
        var abuseWindow: Int
        var warmup: Double
        var duration: Double
    }

    enum Load: String, CaseIterable {
        /// Latency of routing alone at a fixed rate: 100% call.offered.
        case offeredOpen = "offered-open"
        /// Latency by kind at the same rate with 5% abuse mixed in (abuse answers wait for commit).
        case mixOpen = "mix-open"
        /// Maximum routing throughput: 100% call.offered, pipelined.
        case offeredClosed = "offered-closed"
        /// Throughput of the call.offered-heavy mix: 95% call.offered, 5% abuse.
        case mixClosed = "mix-closed"
        /// The abuse-heavy mix from many connections: 95% abuse, 5% call.offered.
        case abuseClosed = "abuse-closed"

        var abuseShare: Double {
            switch self {
            case .offeredOpen, .offeredClosed: 0
            case .mixOpen, .mixClosed: 0.05
            case .abuseClosed: 0.95
            }
        }

        var isOpenLoop: Bool { self == .offeredOpen || self == .mixOpen }
    }

    let settings: Settings
    let population: Population
    let loads: [Load]

    func describe(_ load: Load) -> String {
        let mix = load.abuseShare == 0 ? "100% call.offered" : load.abuseShare < 0.5 ? "95% call.offered, 5% abuse" : "95% abuse, 5% call.offered"
        switch load {
        case .offeredOpen, .mixOpen:
            return "open loop, \(Int(settings.rate)) req/s over \(settings.openConnections) connections, \(mix)"
        case .offeredClosed, .mixClosed:
            return "closed loop, \(settings.closedConnections) connections x \(settings.window) pipelined, \(mix)"
        case .abuseClosed:
            return "closed loop, \(settings.abuseConnections) connections x \(settings.abuseWindow) pipelined, \(mix)"
        }
    }

    /// Runs every load against the server listening on `socketPath`: the daemon `pid`, or the
    /// floor in this process when nil.
    func run(socketPath: String, server: String, pid: Int32?, seed: UInt64) -> [Load: LoadResult] {
        var results: [Load: LoadResult] = [:]
        for load in loads {
            let source = { (connection: Int) in
                TrafficMix(population: population, abuseShare: load.abuseShare, connection: connection, seed: seed)
            }
            var result: LoadResult
            let before = CPUUsage.Snapshot.take(daemon: pid)
            switch load {
            case .offeredOpen, .mixOpen:
                let plan = OpenLoop.Plan(name: load.rawValue, connections: settings.openConnections, rate: settings.rate, warmup: settings.warmup, duration: settings.duration)
                result = OpenLoop.run(plan, socketPath: socketPath, makeSource: source)
            case .offeredClosed, .mixClosed:
                let plan = ClosedLoop.Plan(name: load.rawValue, connections: settings.closedConnections, window: settings.window, warmup: settings.warmup, duration: settings.duration)
                result = ClosedLoop.run(plan, socketPath: socketPath, makeSource: source)
            case .abuseClosed:
                let plan = ClosedLoop.Plan(name: load.rawValue, connections: settings.abuseConnections, window: settings.abuseWindow, warmup: settings.warmup, duration: settings.duration)
                result = ClosedLoop.run(plan, socketPath: socketPath, makeSource: source)
            }
            result.cpu = CPUUsage(from: before, to: CPUUsage.Snapshot.take(daemon: pid), daemon: pid != nil)
            Report.progress("  \(server) \(load.rawValue): \(Report.summary(result))")
            results[load] = result
        }
        return results
    }
}
