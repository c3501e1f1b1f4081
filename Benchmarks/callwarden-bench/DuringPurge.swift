import Foundation

/// `call.offered` latency while retention purges the record: the open-loop routing load at the
/// same rate as `offered-open`, with a purge asked for once the warm-up is over. Routing must not
/// wait behind a purge: its candidates are read from a snapshot off the engine's lock, and what
/// it deleted leaves memory a slice at a time.
///
/// The daemon's policy file is rewritten with a retention rule that lets go the seeded incidents
/// older than a year whose weight has faded below a half, and reloaded; the shipped policy sets
/// no retention, so nothing is purged before this step.
struct DuringPurge {
    struct Figures {
        var load: LoadResult
        /// The purge's answer: how many incidents it deleted, and how long it took.
        var purgedIncidents: Int?
        var purgeSeconds: Double?
        var purgeAnswer: String?
    }

    static let retention = """

        retention:
          faded: 365d
          faded_below: 0.5

        """

    let settings: LoadSuite.Settings
    let population: Population

    func run(socketPath: String, policyFile: String) throws -> Figures {
        let original = try String(contentsOfFile: policyFile, encoding: .utf8)
        try (original + Self.retention).write(toFile: policyFile, atomically: true, encoding: .utf8)
        defer { try? original.write(toFile: policyFile, atomically: true, encoding: .utf8) }
        let reloaded = try UnixSocket(path: socketPath).request(#"{"type":"reload","id":"r"}"#)
        guard reloaded.contains(#""ok":true"#) else { throw BenchFailure("the policy with retention was refused: \(reloaded)") }

        let purge = PurgeRequest()
        let warmup = settings.warmup
        let thread = Thread {
            Thread.sleep(forTimeInterval: warmup)
            purge.run(socketPath: socketPath)
        }
        thread.start()
        let plan = OpenLoop.Plan(name: "offered-during-purge", connections: settings.openConnections, rate: settings.rate, warmup: settings.warmup, duration: settings.duration)
        let load = OpenLoop.run(plan, socketPath: socketPath) { connection in
            TrafficMix(population: population, abuseShare: 0, connection: connection, seed: 2)
        }
        purge.wait()
        let answer = purge.answer
        let object = answer.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return Figures(load: load, purgedIncidents: (object?["incidents"] as? NSNumber)?.intValue, purgeSeconds: purge.seconds, purgeAnswer: answer)
    }
}

/// One `purge` request on a connection of its own, timed.
final class PurgeRequest: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private(set) var answer: String?
    private(set) var seconds: Double?

    func run(socketPath: String) {
        let start = Monotonic.nanoseconds()
        answer = try? UnixSocket(path: socketPath).request(#"{"type":"purge","id":"p"}"#, timeoutSeconds: 600)
        seconds = Monotonic.seconds(since: start)
        done.signal()
    }

    func wait() { done.wait() }
}
