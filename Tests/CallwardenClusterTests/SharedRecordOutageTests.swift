import CallwardenCluster
import CallwardenStore
import PostgresTestServer
import Synchronization
import Testing

/// The shared record while its PostgreSQL server is down, and after it is back.
@Suite("The shared record through an outage", .enabled(if: PostgresServer.runs, "\(PostgresServer.missing)"))
struct SharedRecordOutageTests {
    static func isDatabaseFailure(_ error: SharedRecordError?) -> Bool {
        guard case .database = error else { return false }
        return true
    }

    @Test("While the server is down a ship fails rather than waiting on; once it is back the same entries ship, once")
    func shipThroughOutage() async throws {
        try await SharedCluster.with(nodes: [1]) { (cluster: SharedCluster) async throws(any Error) in
            let record = cluster[1]
            let entries = LocalEntries.make(node: 1, count: 6)
            try await record.ship(Array(entries[0..<3]), node: 1)

            // As if the server crashed: everything committed must be there after it restarts. The
            // ship fails at once, as the server is gone; the time-out stays generous because the
            // count and verify below may run on a machine busy with other work.
            cluster.server.stop(immediate: true)
            let error = await #expect(throws: SharedRecordError.self) { try await record.ship(Array(entries[3..<6]), node: 1) }
            #expect(Self.isDatabaseFailure(error), "\(String(describing: error))")

            try cluster.server.start()
            // Retry as a node draining its spool does, with a deadline only as a guard.
            let guardDeadline = ContinuousClock.now + .seconds(120)
            var shipped: Int64?
            while shipped == nil, ContinuousClock.now < guardDeadline {
                shipped = try? await record.ship(entries, node: 1)
                if shipped == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(shipped == entries[5].id)
            #expect(try await record.entryCount() == 6)
            let report = try await record.verify()
            #expect(report.verified)
            #expect(report.entries == 6)
        }
    }
}

/// Operations given up on at the shared record's time-out, and what they leave behind.
@Suite("The shared record's time-out", .enabled(if: PostgresServer.runs, "\(PostgresServer.missing)"))
struct SharedRecordTimeoutTests {
    /// Whether an operation started in the background has ended, however it ended.
    final class Ended: Sendable {
        private let flag = Atomic<Bool>(false)
        var happened: Bool { flag.load(ordering: .acquiring) }
        func mark() { flag.store(true, ordering: .releasing) }
    }

    /// Starts `operation` in a task of its own, so that one that never ends cannot hold the test.
    static func background(_ operation: @escaping @Sendable () async throws -> Void) -> Ended {
        let ended = Ended()
        Task {
            try? await operation()
            ended.mark()
        }
        return ended
    }

    /// Waits until `ended` says so, with a generous deadline only as a guard.
    static func waitFor(_ ended: [Ended]) async throws -> Bool {
        let guardDeadline = ContinuousClock.now + .seconds(60)
        while !ended.allSatisfy(\.happened) {
            guard ContinuousClock.now < guardDeadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// `operation`'s result once it succeeds, tried again on failure, with a deadline only as a guard.
    static func retried<T>(_ operation: () async throws -> T) async throws -> T {
        let guardDeadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                return try await operation()
            } catch where ContinuousClock.now < guardDeadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test("Ships whose statements PostgreSQL holds end at their time-out, those queued behind them too, and the record works after")
    func timedOutShipsEndAndHoldUpNothing() async throws {
        try await SharedCluster.with(nodes: [1], prepare: false, timeout: .seconds(2)) { (cluster: SharedCluster) async throws(any Error) in
            let record = cluster[1]
            let entries = LocalEntries.make(node: 1, count: 3)
            // Two seconds is short on a loaded machine: tried until the tables are there.
            try await Self.retried { try await record.prepare() }
            try cluster.server.openSession(holding: "SELECT * FROM callwarden_chain_head FOR UPDATE")
            // The first ship waits on the head's lock; the others wait their turn on the shipping
            // connection behind it, and so does one more operation that ships nothing.
            let ships = (0..<3).map { _ in Self.background { try await record.ship(entries, node: 1) } }
            while try cluster.server.sessionsWaitingForLocks() < 1 { try await Task.sleep(for: .milliseconds(20)) }
            let waiting = Self.background { _ = try await record.shippedThrough(node: 1) }
            #expect(try await Self.waitFor(ships), "the ships did not end at their time-out")
            #expect(try await Self.waitFor([waiting]), "an operation queued behind a timed-out one waits for ever")
            try cluster.server.endSessions()
            // And the record works again: the shipping connection is opened anew.
            #expect(try await Self.retried { try await record.ship(entries, node: 1) } == entries.last!.id)
        }
    }
}
