import Foundation
import PostgresTestServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Nodes sharing a record: real daemons, each with its own socket and SQLite file, against a real
/// PostgreSQL server the test starts on a private socket directory (docs/cluster.md).
@Suite("A cluster sharing a PostgreSQL record, end to end", .serialized)
struct ClusterEndToEndTests {
    static var postgresReady: Bool { PostgresServer.runs }

    /// Starts a node of the cluster on its own socket and state directory.
    static func node(_ number: Int, of server: PostgresServer, spool: Bool = true, policy: String? = nil) throws -> Daemon {
        let daemon = try Daemon()
        if let policy { try daemon.usePolicy(policy) }
        try daemon.start(extraArguments: arguments(number, of: server, spool: spool))
        return daemon
    }

    static func arguments(_ number: Int, of server: PostgresServer, spool: Bool = true) -> [String] {
        ["--store", server.address, "--store-password-file", server.passwordFile, "--node", String(number), "--spool", spool ? "on" : "off"]
    }

    /// Asks `daemon` until `done` holds for the answer to `request`, with a generous guard.
    @discardableResult
    static func waitFor(_ daemon: Daemon, _ request: [String: Any], what: String, _ done: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(60)
        var answer: [String: Any] = [:]
        while Date() < deadline {
            answer = try daemon.request(request)
            if done(answer) { return answer }
            usleep(20_000)
        }
        Issue.record("\(what) never happened; last answer: \(answer)")
        return answer
    }

    /// The `shared_record` object of `status`.
    static func shared(_ daemon: Daemon) throws -> [String: Any] {
        try daemon.request(["type": "status"])["shared_record"] as? [String: Any] ?? [:]
    }

    /// Waits until every entry the node committed locally is in the shared record.
    static func waitUntilShipped(_ daemon: Daemon) throws {
        try waitFor(daemon, ["type": "status"], what: "shipping everything spooled") { answer in
            let shared = answer["shared_record"] as? [String: Any] ?? [:]
            return shared.string("state") == "connected" && shared.int("committed_through") == shared.int("shipped_through")
        }
    }

    /// A route for `caller` on `daemon`, as a new call would get it.
    static func route(_ daemon: Daemon, _ caller: String) throws -> String? {
        try daemon.request(["type": "call.offered", "call": "probe-\(UUID().uuidString)", "caller": caller]).string("route")
    }

    /// Origin ids in the shared record that appear more than once, and how many rows it holds
    /// for `node`.
    static func sharedRows(_ server: PostgresServer, node: Int) throws -> (duplicates: String, origins: Set<Int>) {
        let duplicates = try server.psql("SELECT origin FROM callwarden_entries GROUP BY origin HAVING count(*) > 1")
        let origins = try server.psql("SELECT origin FROM callwarden_entries WHERE node = \(node)")
            .split(separator: "\n").compactMap { Int($0) }
        return (duplicates, Set(origins))
    }

    @Test("An incident recorded on one node routes the caller's next call on another; forgiveness on a third is seen on the first",
          .enabled(if: postgresReady))
    func incidentsAndForgivenessCrossNodes() throws {
        let server = try PostgresServer()
        try server.start()
        let a = try Self.node(1, of: server), b = try Self.node(2, of: server), c = try Self.node(3, of: server)
        let caller = "+447700900731"
        #expect(try Self.route(b, caller) == "normal")

        #expect(try a.request(["type": "abuse", "caller": caller, "kind": "verbal", "agent": "a1"]).ok)
        try Self.waitFor(b, ["type": "explain", "caller": caller], what: "node 2 learning node 1's incident") {
            ($0["standing"] as? [String: Any])?["incidents"] as? Int == 1
        }
        #expect(try Self.route(b, caller) == "supervisor")

        try Self.waitFor(c, ["type": "explain", "caller": caller], what: "node 3 learning node 1's incident") {
            ($0["standing"] as? [String: Any])?["incidents"] as? Int == 1
        }
        #expect(try c.request(["type": "forgive", "caller": caller, "reason": "apologised to the team leader"]).ok)
        try Self.waitFor(a, ["type": "explain", "caller": caller], what: "node 1 learning node 3's forgiveness") {
            ($0["standing"] as? [String: Any])?["incidents"] as? Int == 0
        }
        #expect(try Self.route(a, caller) == "normal")

        let verified = try a.request(["type": "verify"])
        #expect(verified["verified"] as? Bool == true)
        #expect((verified["shared"] as? [String: Any])?["verified"] as? Bool == true)
    }

    @Test("A call whose switch fails over to another node keeps its ladder there", .enabled(if: postgresReady))
    func ladderFollowsTheCall() throws {
        let server = try PostgresServer()
        try server.start()
        let a = try Self.node(1, of: server), b = try Self.node(2, of: server)
        let at = (Date().timeIntervalSince1970 - 2000).rounded(.down)
        #expect(try a.request(["type": "call.offered", "call": "fo", "caller": "+447700900732", "at": at]).ok)
        #expect(try a.request(["type": "abuse", "call": "fo", "kind": "verbal", "agent": "a1", "at": at + 10]).ok)
        #expect(try a.request(["type": "warning", "call": "fo", "agent": "a1", "at": at + 80]).ok)
        // The call_start, the incident and the warning reach node 2.
        try Self.waitFor(b, ["type": "status"], what: "node 2 learning the call's ladder") {
            (($0["shared_record"] as? [String: Any])?.int("peer_entries") ?? 0) >= 3
        }
        #expect(try b.request(["type": "abuse", "call": "fo", "kind": "verbal", "agent": "a1", "at": at + 90]).ok)
        let answer = try b.request(["type": "hangup.request", "call": "fo", "agent": "a1", "at": at + 91])
        #expect(answer.string("hangup") == "supervisor_required")
    }

    @Test("PostgreSQL stopped mid-burst and started again: every acknowledged write reaches it once and the chain verifies",
          .enabled(if: postgresReady))
    func postgresRestartMidBurst() throws {
        let server = try PostgresServer()
        try server.start()
        let a = try Self.node(1, of: server), b = try Self.node(2, of: server)
        let client = try a.client()
        var acknowledged = Set<Int>()
        for index in 0..<120 {
            if index == 40 { server.stop() }
            if index == 80 {
                // The writes since the stop were spooled, not refused.
                #expect(try Self.shared(a).string("state") == "unreachable")
                try server.start()
            }
            let answer = try client.request(["type": "abuse", "caller": "+4477009008\(String(format: "%02d", index % 100))", "kind": "verbal"])
            #expect(answer.ok, "write \(index) was refused: \(answer)")
            if let incident = answer.int("incident") { acknowledged.insert(incident) }
        }
        #expect(acknowledged.count == 120)
        try Self.waitUntilShipped(a)
        let rows = try Self.sharedRows(server, node: 1)
        #expect(rows.duplicates.isEmpty)
        #expect(acknowledged.isSubset(of: rows.origins))
        let verified = try b.request(["type": "verify"])
        #expect((verified["shared"] as? [String: Any])?["verified"] as? Bool == true)
        // Node 2 learns every one of them, once.
        try Self.waitFor(b, ["type": "status"], what: "node 2 learning the whole burst") {
            ($0["store"] as? [String: Any])?.int("incidents") == 120
        }
    }

    @Test("A node killed mid-burst loses nothing it acknowledged: after its restart the shared record holds each once and verifies",
          .enabled(if: postgresReady))
    func nodeKilledMidBurst() throws {
        let server = try PostgresServer()
        try server.start()
        let a = try Self.node(1, of: server)
        let client = try a.client()
        let burst = (0..<400).map { #"{"type":"abuse","caller":"+44770090\#(String(format: "%04d", $0))","kind":"verbal","id":\#($0)}"# }
        try client.send(raw: burst.joined(separator: "\n") + "\n")
        var acknowledged = Set<Int>()
        for _ in 0..<150 {
            let answer = try client.readResponse()
            if answer.ok, let incident = answer.int("incident") { acknowledged.insert(incident) }
        }
        a.killHard()
        try a.start(extraArguments: Self.arguments(1, of: server))
        try Self.waitUntilShipped(a)
        let rows = try Self.sharedRows(server, node: 1)
        #expect(rows.duplicates.isEmpty)
        #expect(acknowledged.count == 150)
        #expect(acknowledged.isSubset(of: rows.origins))
        let verified = try a.request(["type": "verify"])
        #expect(verified["verified"] as? Bool == true)
        #expect((verified["shared"] as? [String: Any])?["verified"] as? Bool == true)
    }

    @Test("With the spool off, writes are refused while PostgreSQL is down, and accepted again once it is back",
          .enabled(if: postgresReady))
    func spoolOffRefuses() throws {
        let server = try PostgresServer()
        try server.start()
        let a = try Self.node(1, of: server, spool: false)
        try Self.waitUntilShipped(a)
        #expect(try a.request(["type": "abuse", "caller": "+447700900741", "kind": "verbal"]).ok)
        server.stop()
        // The first write after the stop finds out (and is kept: it was committed locally).
        _ = try a.request(["type": "abuse", "caller": "+447700900742", "kind": "verbal"])
        let refused = try a.request(["type": "abuse", "caller": "+447700900743", "kind": "verbal"])
        #expect(refused.errorCode == "unavailable")
        #expect(try Self.shared(a).string("state") == "unreachable")
        #expect(try Self.route(a, "+447700900741") == "supervisor")
        try server.start()
        try Self.waitUntilShipped(a)
        #expect(try a.request(["type": "abuse", "caller": "+447700900744", "kind": "verbal"]).ok)
    }

    @Test("export --shared writes every node's entries in one chain that both offline verifiers accept, and an edit in it they refuse",
          .enabled(if: postgresReady && Command.find("python3") != nil))
    func sharedExportVerifiesOffline() throws {
        let server = try PostgresServer()
        try server.start()
        let a = try Self.node(1, of: server), b = try Self.node(2, of: server)
        #expect(try a.request(["type": "abuse", "caller": "+447700900751", "kind": "verbal", "note": "shouted at the agent"]).ok)
        #expect(try b.request(["type": "abuse", "caller": "+447700900752", "kind": "nuisance"]).ok)
        try Self.waitFor(b, ["type": "explain", "caller": "+447700900751"], what: "node 2 learning node 1's incident") {
            ($0["standing"] as? [String: Any])?["incidents"] as? Int == 1
        }
        #expect(try b.request(["type": "forgive", "caller": "+447700900751", "reason": "apologised"]).ok)

        let file = b.directory.appendingPathComponent("shared.json").path
        let exported = try Command.ctl(b, ["export", "--shared", "-o", file])
        #expect(exported.status == 0, "\(exported.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("\"chain\":\"shared\""))
        #expect(text.contains("\"node\":1") && text.contains("\"node\":2"))
        let ctl = try Command.run(Command.callwardenctl, ["verify", "--file", file])
        #expect(ctl.status == 0, "\(ctl.stdout)\(ctl.stderr)")
        let python = Command.find("python3")!
        let program = try RecordEndToEndTests.pythonProgram()
        let good = try Command.run(python, ["-", file], input: program)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")

        let tampered = b.directory.appendingPathComponent("tampered.json").path
        try text.replacingOccurrences(of: "shouted at the agent", with: "was polite").write(toFile: tampered, atomically: true, encoding: .utf8)
        #expect(try Command.run(Command.callwardenctl, ["verify", "--file", tampered]).status == 1)
        #expect(try Command.run(python, ["-", tampered], input: program).status == 1)
    }

    @Test("A PostgreSQL failover that loses the last transactions: the node ships the entries it lost again, once, and the chain verifies",
          .enabled(if: postgresReady))
    func failoverLosingTransactions() throws {
        let server = try PostgresServer()
        try server.start()
        let a = try Self.node(1, of: server)
        var acknowledged = Set<Int>()
        func record(_ caller: String) throws {
            let answer = try a.request(["type": "abuse", "caller": caller, "kind": "verbal"])
            #expect(answer.ok, "\(answer)")
            if let incident = answer.int("incident") { acknowledged.insert(incident) }
        }
        try record("+447700900751")
        try Self.waitUntilShipped(a)
        // The standby, as it stands when the primary goes on without it.
        server.stop()
        try server.saveData()
        try server.start()
        try record("+447700900752")
        try record("+447700900753")
        try Self.waitUntilShipped(a)
        // The failover: the standby is promoted without the last two transactions.
        server.stop()
        try server.restoreData()
        try server.start()
        try record("+447700900754")
        try Self.waitUntilShipped(a)
        let rows = try Self.sharedRows(server, node: 1)
        #expect(acknowledged.count == 4)
        #expect(acknowledged.isSubset(of: rows.origins), "lost from the shared record: \(acknowledged.subtracting(rows.origins).sorted())")
        #expect(rows.duplicates.isEmpty)
        let verified = try a.request(["type": "verify"])
        #expect((verified["shared"] as? [String: Any])?["verified"] as? Bool == true)
    }

    @Test("A node started with a new local record under a number that has shipped before does not claim its writes are in the shared record",
          .enabled(if: postgresReady))
    func newRecordUnderAUsedNodeNumber() throws {
        let server = try PostgresServer()
        try server.start()
        let first = try Self.node(1, of: server)
        for index in 0..<3 {
            #expect(try first.request(["type": "abuse", "caller": "+44770090076\(index)", "kind": "verbal"]).ok)
        }
        try Self.waitUntilShipped(first)
        first.killHard()
        // The machine's disk replaced: a new record, the same node number.
        let second = try Self.node(1, of: server)
        let answer = try second.request(["type": "abuse", "caller": "+447700900769", "kind": "verbal"])
        #expect(answer.ok)
        // Its id is one the shared record holds already, for another entry: it cannot be shipped,
        // and the node must say so rather than report it shipped.
        try Self.waitFor(second, ["type": "status"], what: "the node saying its record is behind the shared record") { status in
            let shared = status["shared_record"] as? [String: Any] ?? [:]
            return shared.string("state") == "unreachable" && (shared.string("reason") ?? "").contains("local record")
        }
        #expect(try server.psql("SELECT count(*) FROM callwarden_entries WHERE caller = '+447700900769'") == "0")
    }
}
