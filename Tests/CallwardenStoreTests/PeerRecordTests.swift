@testable import CallwardenStore
import CallwardenRecord
import Foundation
import GRDB
import Logging
import Testing

/// Entries other nodes recorded, kept in the local record's `peer_entries`: stored once each,
/// checked like new entries, left out of this node's chain, and merged into the reads memory and
/// `history` are built from, in the order this node came to know them.
@Suite("Peers' entries in the local record")
struct PeerRecordTests {
    static let caller = "+447700900123"
    /// Node 2's first id.
    static let node2: Int64 = 2 << 40

    static func peer(_ sharedID: Int64, node: Int = 2, id: Int64, _ entry: NewEntry, recordedAt: Double = 1_800_000_000) -> PeerEntry {
        PeerEntry(sharedID: sharedID, node: node, stored: StoredEntry(id: id, recordedAt: recordedAt, entry: entry, hash: String(repeating: "ab", count: 32)))
    }

    static func incident(_ at: Double, call: String? = nil) -> NewEntry {
        NewEntry(type: .incident, at: at, caller: caller, call: call, kind: "verbal", agent: "a2", note: "swore", attestation: "B")
    }

    static func forgiveness(of incident: Int64, at: Double) -> NewEntry {
        NewEntry(type: .forgiveness, at: at, caller: caller, note: "apologised", ref: incident, by: "uid 0", until: at + 86_400)
    }

    @Test("Storing is idempotent by shared id: what is stored already is skipped, and only the new entries are returned")
    func storingIsIdempotent() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let one = Self.peer(1, id: Self.node2 + 1, Self.incident(1_800_000_000))
        let two = Self.peer(2, id: Self.node2 + 2, Self.incident(1_800_000_010))
        let three = Self.peer(3, node: 5, id: (5 << 40) + 1, Self.incident(1_800_000_020))
        let (first, again, through, read) = try await RecordStoreTests.withStore(directory) { store in
            let first = try await store.storePeerEntries([one, two])
            let again = try await store.storePeerEntries([two, three, three])
            return (first, again, try await store.peersThrough(), try await store.entries(caller: Self.caller))
        }
        #expect(first == [one, two])
        #expect(again == [three])
        #expect(through == 3)
        #expect(read == [one.stored, two.stored, three.stored])
    }

    @Test("A new record has stored no peer entry")
    func newRecordHasNoPeers() async throws {
        let through = try await RecordStoreTests.withStore(RecordStoreTests.temporaryDirectory()) { store in try await store.peersThrough() }
        #expect(through == 0)
    }

    static let refused: [(String, PeerEntry)] = [
        ("a time outside the record's window", peer(7, id: node2 + 7, NewEntry(type: .incident, at: .nan, caller: caller, kind: "verbal"))),
        ("a NUL in a text", peer(7, id: node2 + 7, NewEntry(type: .incident, at: 1_800_000_000, caller: caller, kind: "verbal", note: "a\u{0}b"))),
        ("an incident without a kind", peer(7, id: node2 + 7, NewEntry(type: .incident, at: 1_800_000_000, caller: caller))),
        ("an unknown attestation", peer(7, id: node2 + 7, NewEntry(type: .incident, at: 1_800_000_000, caller: caller, kind: "verbal", attestation: "Z"))),
        ("node 0", peer(7, node: 0, id: node2 + 7, incident(1_800_000_000))),
        ("node 1024", peer(7, node: 1024, id: node2 + 7, incident(1_800_000_000))),
        ("shared id 0", peer(0, id: node2 + 7, incident(1_800_000_000))),
        ("origin id 0", peer(7, id: 0, incident(1_800_000_000))),
        ("a recorded time past the year 9999", peer(7, id: node2 + 7, incident(1_800_000_000), recordedAt: 3e11)),
        ("a hash that is not one", PeerEntry(sharedID: 7, node: 2, stored: StoredEntry(id: node2 + 7, recordedAt: 1_800_000_000, entry: incident(1_800_000_000), hash: "XYZ"))),
    ]

    @Test("A value the record cannot keep refuses the whole batch, naming the shared id", arguments: 0..<refused.count)
    func badValueRefusesTheBatch(index: Int) async throws {
        let (what, bad) = Self.refused[index]
        let good = Self.peer(6, id: Self.node2 + 6, Self.incident(1_800_000_000))
        let directory = RecordStoreTests.temporaryDirectory()
        let (error, through) = try await RecordStoreTests.withStore(directory) { store in
            let error = await #expect(throws: StoreError.self, "\(what)") { try await store.storePeerEntries([good, bad]) }
            return (error, try await store.peersThrough())
        }
        guard case .badPeerEntry(let sharedID, _)? = error else {
            Issue.record("\(what): not refused as a bad peer entry: \(String(describing: error))")
            return
        }
        #expect(sharedID == bad.sharedID)
        #expect(through == 0, "\(what): part of the batch was stored")
    }

    @Test("An origin id stored already under another shared id refuses the batch")
    func originIDUnderAnotherSharedID_isRefused() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (error, through) = try await RecordStoreTests.withStore(directory) { store in
            try await store.storePeerEntries([Self.peer(1, id: Self.node2 + 1, Self.incident(1_800_000_000))])
            let error = await #expect(throws: StoreError.self) {
                try await store.storePeerEntries([
                    Self.peer(2, id: Self.node2 + 2, Self.incident(1_800_000_001)), Self.peer(3, id: Self.node2 + 1, Self.incident(1_800_000_002)),
                ])
            }
            return (error, try await store.peersThrough())
        }
        guard case .badPeerEntry(let sharedID, _)? = error else {
            Issue.record("not refused as a bad peer entry: \(String(describing: error))")
            return
        }
        #expect(sharedID == 3)
        #expect(through == 1)
    }

    @Test("Peers' entries are not part of this node's chain: verify, export and the shipper's reads leave them out")
    func peersAreNotInTheLocalChain() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (own, report, page, after) = try await RecordStoreTests.withStore(directory) { store in
            let own = try await store.append(Self.incident(1_800_000_000))
            try await store.storePeerEntries([Self.peer(1, id: Self.node2 + 1, Self.incident(1_800_000_001))])
            return (own, try await store.verify(), try await store.exportPage(caller: nil, since: nil, after: nil, limit: 100), try await store.entries(after: 0, limit: 100))
        }
        #expect(report.verified, "\(String(describing: report.problem))")
        #expect(report.entries == 1)
        #expect(page.entries.map(\.id) == [own.id])
        #expect(after == [own])
    }

    @Test("Start-up reads a peer's forgiveness after the own incident it forgives, with where each came from")
    func peersForgivenessFollowsOwnIncident() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let read = try await RecordStoreTests.withStore(directory) { store in
            let own = try await store.append(Self.incident(1_800_000_000))
            // Recorded by a node whose clock runs an hour behind: it still forgave what it had seen.
            let forgiveness = Self.peer(1, id: Self.node2 + 1, Self.forgiveness(of: own.id, at: 1_800_000_100), recordedAt: Date().timeIntervalSince1970 - 3600)
            try await store.storePeerEntries([forgiveness])
            return try Self.walk(store)
        }
        #expect(read.map(\.1) == [.own, .peer(node: 2, sharedID: 1)])
        #expect(read.map(\.0.entry.type) == [.incident, .forgiveness])
    }

    @Test("Start-up reads an own forgiveness after the peer's incident it forgives")
    func ownForgivenessFollowsPeersIncident() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (read, own) = try await RecordStoreTests.withStore(directory) { store in
            // Recorded by a node whose clock runs an hour ahead.
            let incident = Self.peer(1, id: Self.node2 + 1, Self.incident(1_800_000_000), recordedAt: Date().timeIntervalSince1970 + 3600)
            try await store.storePeerEntries([incident])
            let own = try await store.append(Self.forgiveness(of: incident.stored.id, at: 1_800_000_100))
            return (try Self.walk(store), own)
        }
        #expect(read.map(\.0.id) == [Self.node2 + 1, own.id])
        #expect(read.map(\.0.entry.type) == [.incident, .forgiveness])
    }

    @Test("Each side keeps its own order in the merge: a peer's entries in shared-id order, own entries in id order")
    func mergeKeepsEachSidesOrder() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let read = try await RecordStoreTests.withStore(directory) { store in
            let first = try await store.append(Self.incident(1_800_000_000))
            // One batch from two nodes, in shared-id order; node 4's ids are higher than node 2's.
            try await store.storePeerEntries([
                Self.peer(1, node: 4, id: (4 << 40) + 1, Self.incident(1_800_000_001)),
                Self.peer(2, node: 2, id: Self.node2 + 1, Self.incident(1_800_000_002)),
            ])
            let second = try await store.append(Self.incident(1_800_000_003))
            return (try Self.walk(store).map(\.0.id), [first.id, second.id])
        }
        #expect(read.0 == [read.1[0], (4 << 40) + 1, Self.node2 + 1, read.1[1]])
    }

    @Test("Peers' entries are read back after a restart, merged as before")
    func peersSurviveRestart() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let before = try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append(Self.incident(1_800_000_000, call: "c1"))
            try await store.storePeerEntries([Self.peer(1, id: Self.node2 + 1, NewEntry(type: .warning, at: 1_800_000_050, caller: Self.caller, call: "c1", agent: "a2"))])
            _ = try await store.append(NewEntry(type: .callEnd, at: 1_800_000_100, caller: Self.caller, call: "c1", by: "caller", outcome: "resolved"))
            return (try Self.walk(store), try await store.entries(call: "c1"))
        }
        let after = try await RecordStoreTests.withStore(directory) { store in (try Self.walk(store), try await store.entries(call: "c1")) }
        #expect(before.0.map(\.0) == after.0.map(\.0))
        #expect(after.0.map(\.1) == [.own, .peer(node: 2, sharedID: 1), .own])
        #expect(after.1.map(\.entry.type) == [.incident, .warning, .callEnd])
        #expect(after.1 == before.1)
    }

    @Test("history's page holds a peer's incidents, their forgiveness, and the steps of calls either node took")
    func historyPageMergesPeers() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (page, own, peers) = try await RecordStoreTests.withStore(directory) { store in
            let own = try await store.append([
                NewEntry(type: .callStart, at: 1_800_000_000, caller: Self.caller, call: "c1"),
                Self.incident(1_800_000_010, call: "c1"),
            ])
            let peers = [
                // The call failed over to node 2, which warned and ended it.
                Self.peer(1, id: Self.node2 + 1, NewEntry(type: .warning, at: 1_800_000_050, caller: Self.caller, call: "c1", agent: "a2")),
                Self.peer(2, id: Self.node2 + 2, Self.incident(1_800_000_060, call: "c1")),
                Self.peer(3, id: Self.node2 + 3, NewEntry(type: .callEnd, at: 1_800_000_070, caller: Self.caller, call: "c1", by: "agent", outcome: "abusive")),
                Self.peer(4, id: Self.node2 + 4, Self.forgiveness(of: own[1].id, at: 1_800_000_200)),
            ]
            try await store.storePeerEntries(peers)
            return (try await store.historyPage(caller: Self.caller, after: 0, asOf: nil, limit: 100), own, peers)
        }
        #expect(page.incidents.map(\.id) == [own[1].id, Self.node2 + 2])
        #expect(page.forgiveness.map(\.id) == [Self.node2 + 4])
        #expect(page.callEntries.map(\.id) == own.map(\.id) + peers[0...2].map(\.stored.id))
        #expect(!page.more)
    }

    @Test("history's pages go by id through both nodes' incidents, and each call is told on one page")
    func historyPagesThroughBothNodes() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (first, second) = try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append([
                NewEntry(type: .callStart, at: 1_800_000_000, caller: Self.caller, call: "c1"), Self.incident(1_800_000_010, call: "c1"),
            ])
            try await store.storePeerEntries([
                Self.peer(1, id: Self.node2 + 1, NewEntry(type: .warning, at: 1_800_000_050, caller: Self.caller, call: "c1")),
                Self.peer(2, id: Self.node2 + 2, Self.incident(1_800_000_060, call: "c2")),
            ])
            let first = try await store.historyPage(caller: Self.caller, after: 0, asOf: nil, limit: 1)
            let second = try await store.historyPage(caller: Self.caller, after: first.incidents.last?.id ?? 0, asOf: nil, limit: 1)
            return (first, second)
        }
        #expect(first.incidents.map(\.id) == [2])
        #expect(first.more)
        #expect(first.callEntries.map(\.id) == [1, 2, Self.node2 + 1])
        #expect(second.incidents.map(\.id) == [Self.node2 + 2])
        #expect(!second.more)
        // c1 is named in the second page's span too (by node 2's warning), so its entries are
        // read whole there as well; its story begins in the first page's span only.
        #expect(second.callEntries.map(\.id) == [1, 2, Self.node2 + 1, Self.node2 + 2])
        #expect(first.span.contains(1) && !second.span.contains(1))
    }

    @Test("A v4 record migrates to v5 with an empty peer_entries table, and its own entries unchanged")
    func migrationAddsPeerEntries() async throws {
        let directory = try SchemaV4Tests.v3Record()
        let before = try SchemaV4Tests.state(directory)
        let report = try await RecordStoreTests.withStore(directory) { store in try await store.verify() }
        #expect(report.verified)
        #expect(try SchemaV4Tests.state(directory) == before)
        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        let (columns, count, migrations) = try await queue.read { db in
            (
                try db.columns(in: "peer_entries").map(\.name), try Int.fetchOne(db, sql: "SELECT count(*) FROM peer_entries"),
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            )
        }
        #expect(Array(columns.suffix(3)) == ["shared_id", "node", "received_at_us"])
        #expect(count == 0)
        #expect(migrations.contains { $0.hasPrefix("v5") })
    }

    /// Every entry start-up reads, with its origin.
    static func walk(_ store: RecordStore) throws -> [(StoredEntry, EntryOrigin)] {
        var read: [(StoredEntry, EntryOrigin)] = []
        try store.forEachEntryAndOrigin(ofTypes: EntryType.allCases) { read.append(($0, $1)) }
        return read
    }
}
