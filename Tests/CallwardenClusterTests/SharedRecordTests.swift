import CallwardenCluster
import CallwardenRecord
import CallwardenStore
import Foundation
import PostgresTestServer
import Testing

/// The shared record against a real PostgreSQL server, started by the tests as an unprivileged
/// user on a private Unix socket with password authentication.
@Suite("The shared record in PostgreSQL", .enabled(if: PostgresServer.runs, "\(PostgresServer.missing)"))
struct SharedRecordTests {
    static func isRefusal(_ error: SharedRecordError?) -> Bool {
        guard case .refused = error else { return false }
        return true
    }

    @Test("Three nodes shipping at once build one shared chain that verifies, holding every entry exactly once")
    func concurrentShips() async throws {
        let nodes = [1, 2, 3]
        let batches = 12
        let perBatch = 5
        try await SharedCluster.with(nodes: nodes) { cluster in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in nodes {
                    group.addTask {
                        let entries = LocalEntries.make(node: node, count: batches * perBatch)
                        for batch in 0..<batches {
                            let slice = Array(entries[(batch * perBatch)..<((batch + 1) * perBatch)])
                            let through = try await cluster[node].ship(slice, node: node)
                            #expect(through == slice.last!.id)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = nodes.count * batches * perBatch
            let report = try await cluster[1].verify()
            #expect(report.verified, "\(report.problem.map(String.init(describing:)) ?? "")")
            #expect(report.entries == total)
            let head = try await cluster[2].head()
            #expect(head.id == Int64(total))
            #expect(report.lastHash == head.hash)
            #expect(try await cluster[3].entryCount() == Int64(total))
            // Shared ids 1...total with no gap, each origin once, and each node's entries in its
            // own order within the shared order.
            #expect(try cluster.server.psql("SELECT min(id), max(id), count(DISTINCT id), count(DISTINCT origin) FROM callwarden_entries") == "1|\(total)|\(total)|\(total)")
            for node in nodes {
                let expected = LocalEntries.make(node: node, count: batches * perBatch).map(\.id)
                let shipped = try cluster.server.psql("SELECT origin FROM callwarden_entries WHERE node = \(node) ORDER BY id").split(separator: "\n").map { Int64($0)! }
                #expect(shipped == expected)
                #expect(try await cluster[node].shippedThrough(node: node) == expected.last)
            }
        }
    }

    @Test("Shipping entries again ships none of them twice, and ships only those not yet shipped")
    func repeatedShip() async throws {
        try await SharedCluster.with(nodes: [2]) { (cluster: SharedCluster) async throws(any Error) in
            let record = cluster[2]
            let entries = LocalEntries.make(node: 2, count: 15)
            #expect(try await record.shippedThrough(node: 2) == 0)
            #expect(try await record.ship(Array(entries[0..<10]), node: 2) == entries[9].id)
            let head = try await record.head()

            // The same batch again (a retry after a lost answer): nothing changes.
            #expect(try await record.ship(Array(entries[0..<10]), node: 2) == entries[9].id)
            #expect(try await record.head() == head)
            #expect(try await record.entryCount() == 10)

            // An overlapping batch (a drain after a restart): only the new five are shipped.
            #expect(try await record.ship(Array(entries[6..<15]), node: 2) == entries[14].id)
            #expect(try await record.entryCount() == 15)
            #expect(try await record.head().id == 15)
            #expect(try cluster.server.psql("SELECT count(DISTINCT origin) FROM callwarden_entries") == "15")
            #expect(try await record.verify().verified)

            // Nothing to ship: the answer is still how far the node has shipped.
            #expect(try await record.ship([], node: 2) == entries[14].id)
        }
    }

    @Test("peerEntries returns exactly the other nodes' entries, in shared order, with every value intact")
    func peerEntries() async throws {
        try await SharedCluster.with(nodes: [1, 2, 3]) { (cluster: SharedCluster) async throws(any Error) in
            let local = Dictionary(uniqueKeysWithValues: [1, 2, 3].map { ($0, LocalEntries.make(node: $0, count: 8)) })
            // Interleaved: 1's first half, 2's, 3's first half, 1's second half, 3's second half.
            try await cluster[1].ship(Array(local[1]![0..<4]), node: 1)
            try await cluster[2].ship(local[2]!, node: 2)
            try await cluster[3].ship(Array(local[3]![0..<4]), node: 3)
            try await cluster[1].ship(Array(local[1]![4..<8]), node: 1)
            try await cluster[3].ship(Array(local[3]![4..<8]), node: 3)
            let shippedOrder = [(1, 0..<4), (2, 0..<8), (3, 0..<4), (1, 4..<8), (3, 4..<8)].flatMap { node, range in
                range.map { (node, local[node]![$0]) }
            }

            let peers = try await cluster[2].peerEntries(after: 0, excludingNode: 2, limit: 100)
            let expected = shippedOrder.enumerated().filter { $0.element.0 != 2 }
            #expect(peers.map(\.sharedID) == expected.map { Int64($0.offset + 1) })
            #expect(peers.map(\.node) == expected.map(\.element.0))
            #expect(peers.map(\.stored.id) == expected.map(\.element.1.id))
            #expect(peers.map(\.stored.recordedAt) == expected.map(\.element.1.recordedAt))
            #expect(peers.map(\.stored.entry) == expected.map(\.element.1.entry))
            // Their hashes are the shared chain's, not the nodes' own: the last is the head's.
            #expect(peers.last?.stored.hash == (try await cluster[2].head()).hash)
            #expect(Set(peers.map(\.stored.hash)).isDisjoint(with: shippedOrder.map(\.1.hash)))

            // Paged from where a node has caught up to, a page at a time.
            var pages: [PeerEntry] = []
            var after: Int64 = 0
            while true {
                let page = try await cluster[2].peerEntries(after: after, excludingNode: 2, limit: 5)
                guard let last = page.last else { break }
                #expect(page.count <= 5)
                pages += page
                after = last.sharedID
            }
            #expect(pages == peers)

            // Node 1 sees 2's and 3's.
            let seenByOne = try await cluster[1].peerEntries(after: 0, excludingNode: 1, limit: 100)
            #expect(seenByOne.map(\.stored.id) == shippedOrder.filter { $0.0 != 1 }.map(\.1.id))
            #expect(try await cluster[1].peerEntries(after: 24, excludingNode: 1, limit: 100).isEmpty)
            #expect(try await cluster[1].peerEntries(after: 20, excludingNode: 1, limit: 100).map(\.sharedID) == [21, 22, 23, 24])
            #expect(try await cluster[1].peerEntries(after: 0, excludingNode: 1, limit: 0).isEmpty)
        }
    }

    @Test("A row edited by hand in PostgreSQL fails verification, naming the entry", arguments: [
        ("UPDATE callwarden_entries SET note = 'nothing happened' WHERE id = 3", ChainProblem.Kind.changed, Int64(3)),
        ("UPDATE callwarden_entries SET node = 3 WHERE id = 3", .changed, 3),
        ("UPDATE callwarden_entries SET origin = origin + 1000 WHERE id = 3", .changed, 3),
        ("UPDATE callwarden_entries SET at_us = at_us + 1 WHERE id = 3", .changed, 3),
        ("UPDATE callwarden_entries SET attestation = NULL WHERE id = 1", .changed, 1),
        ("DELETE FROM callwarden_entries WHERE id = 3", .removed, 4),
        ("UPDATE callwarden_chain_head SET last_id = 5", .headMismatch, 8),
    ])
    func editedByHand(sql: String, kind: ChainProblem.Kind, entry: Int64) async throws {
        try await SharedCluster.with(nodes: [1, 2]) { (cluster: SharedCluster) async throws(any Error) in
            try await cluster[1].ship(LocalEntries.make(node: 1, count: 4), node: 1)
            try await cluster[2].ship(LocalEntries.make(node: 2, count: 4), node: 2)
            #expect(try await cluster[1].verify().verified)
            try cluster.server.psql(sql)
            let report = try await cluster[2].verify()
            #expect(!report.verified)
            #expect(report.problem?.kind == kind)
            #expect(report.problem?.entry == entry)
        }
    }

    @Test("A row callwarden could not have written is refused as damage naming its shared id, not passed on", arguments: [
        "UPDATE callwarden_entries SET attestation = 'maybe' WHERE id = 2",
        "UPDATE callwarden_entries SET type = 'party' WHERE id = 2",
        "UPDATE callwarden_entries SET origin = (5::bigint << 40) WHERE id = 2",
        "UPDATE callwarden_entries SET node = 1024 WHERE id = 2",
        "UPDATE callwarden_entries SET at_us = -1 WHERE id = 2",
        "UPDATE callwarden_entries SET until_us = 253402300800000000 WHERE id = 2",
        "UPDATE callwarden_entries SET ref = 0 WHERE id = 2",
        "UPDATE callwarden_entries SET hash = 'not a hash' WHERE id = 2",
        "UPDATE callwarden_entries SET kind = NULL WHERE id = 1",
    ])
    func damagedRow(sql: String) async throws {
        try await SharedCluster.with(nodes: [1, 2]) { (cluster: SharedCluster) async throws(any Error) in
            try await cluster[1].ship(LocalEntries.make(node: 1, count: 3), node: 1)
            try cluster.server.psql(sql)
            let damagedID: Int64 = sql.hasSuffix("id = 1") ? 1 : 2
            let error = await #expect(throws: SharedRecordError.self) {
                try await cluster[2].peerEntries(after: 0, excludingNode: 2, limit: 10)
            }
            guard case .damaged(let sharedID, _) = error else {
                Issue.record("expected damage, got \(String(describing: error))")
                return
            }
            #expect(sharedID == damagedID)
        }
    }

    @Test("Entries that are not the shipping node's, or out of order, are refused and nothing is shipped")
    func refusedShips() async throws {
        try await SharedCluster.with(nodes: [1]) { (cluster: SharedCluster) async throws(any Error) in
            let record = cluster[1]
            let others = LocalEntries.make(node: 2, count: 2)
            let own = LocalEntries.make(node: 1, count: 3)
            for (entries, node) in [(others, 1), ([own[1], own[0]], 1), (own, 0), (own, 1024)] {
                let error = await #expect(throws: SharedRecordError.self) { try await record.ship(entries, node: node) }
                #expect(Self.isRefusal(error), "\(String(describing: error))")
            }
            #expect(try await record.entryCount() == 0)
            #expect(try await record.head().id == 0)
        }
    }

    @Test("Two nodes shipping the same id from before they joined: the second is refused, the first kept")
    func takenOrigin() async throws {
        try await SharedCluster.with(nodes: [1, 2]) { (cluster: SharedCluster) async throws(any Error) in
            let standalone = LocalEntries.make(node: 1, count: 2).enumerated().map { index, stored in
                StoredEntry(id: Int64(index + 1), recordedAt: stored.recordedAt, entry: stored.entry, hash: stored.hash)
            }
            #expect(try await cluster[1].ship(standalone, node: 1) == 2)
            let error = await #expect(throws: SharedRecordError.self) { try await cluster[2].ship(standalone, node: 2) }
            #expect(Self.isRefusal(error), "\(String(describing: error))")
            #expect(try await cluster[2].entryCount() == 2)
            #expect(try await cluster[2].shippedThrough(node: 2) == 0)
            #expect(try await cluster[2].verify().verified)
        }
    }

    @Test("A database without callwarden's tables is told apart from an unreachable one")
    func notPrepared() async throws {
        try await SharedCluster.with(nodes: [1], prepare: false) { cluster in
            await #expect(throws: SharedRecordError.notPrepared) {
                try await cluster[1].ship(LocalEntries.make(node: 1, count: 1), node: 1)
            }
            try await cluster[1].prepare()
            try await cluster[1].prepare()
            #expect(try await cluster[1].head().id == 0)
            #expect(try await cluster[1].verify().verified)
        }
    }

    @Test("A shared record made by a newer callwarden is refused")
    func newerSchema() async throws {
        try await SharedCluster.with(nodes: [1]) { (cluster: SharedCluster) async throws(any Error) in
            try cluster.server.psql("UPDATE callwarden_schema SET version = 2")
            await #expect(throws: SharedRecordError.newerSchema(version: 2, known: 1)) {
                try await cluster[1].prepare()
            }
        }
    }
}
