import CallwardenCluster
import CallwardenStore
import PostgresTestServer
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
            // The pool reconnects after a back-off: retry as a node draining its spool does, with a
            // deadline only as a guard.
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
