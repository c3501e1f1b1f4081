import CallwardenCore
import CallwardenRecord
import CallwardenStore
import Foundation
import GRDB
import Logging
import Testing

/// The record's hash chain on a real SQLite file: verification, export pages and purges.
@Suite("The record's chain")
struct RecordChainTests {
    static let policy = try! PolicyParser.parse("""
        policy: retention-test
        numbering:
          country_code: "44"
        categories:
          verbal:
            weight: 1
            half_life: 30d
        rules:
          - name: default
            route: normal
            queue: support
        retention:
          forgiven: 1d
          faded: 60d
          faded_below: 0.1
        """)

    /// Six entries: incidents 1-4 of two callers, then a forgiveness of 2 and one more incident.
    static func filled(_ directory: String, now: Double) async throws {
        _ = try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append([
                NewEntry(type: .incident, at: now - 400 * 86_400, caller: "+441", kind: "verbal", note: "old, faded"),
                NewEntry(type: .incident, at: now - 10 * 86_400, caller: "+442", kind: "verbal", note: "forgiven long ago"),
                NewEntry(type: .incident, at: now - 1, caller: "+441", kind: "verbal", note: "recent"),
            ])
            _ = try await store.append(NewEntry(type: .forgiveness, at: now - 5 * 86_400, caller: "+442", note: "sorry", ref: 2, by: "uid 0"))
            _ = try await store.append(NewEntry(type: .incident, at: now, caller: "+443", kind: "verbal"))
        }
    }

    static func edit(_ directory: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        try queue.write { db in try db.execute(sql: sql) }
    }

    static func verify(_ directory: String) async throws -> ChainReport {
        try await RecordStoreTests.withStore(directory) { store in try await store.verify() }
    }

    @Test("An untouched record verifies")
    func untouched() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        try await Self.filled(directory, now: Date().timeIntervalSince1970)
        let report = try await Self.verify(directory)
        #expect(report.verified)
        #expect(report.entries == 5)
        #expect(try await Self.verify(RecordStoreTests.temporaryDirectory()).verified)
    }

    @Test("Editing the file is caught, and the entry named", arguments: [
        ("UPDATE entries SET note = 'nothing happened' WHERE id = 3", ChainProblem.Kind.changed, Int64(3)),
        ("DELETE FROM entries WHERE id = 3", .removed, 4),
        ("UPDATE entries SET id = -1 WHERE id = 2; UPDATE entries SET id = 2 WHERE id = 3; UPDATE entries SET id = 3 WHERE id = -1", .reordered, 2),
        ("DELETE FROM entries WHERE id = 5", .headMismatch, 5),
    ])
    func tampered(sql: String, kind: ChainProblem.Kind, entry: Int64) async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        try await Self.filled(directory, now: Date().timeIntervalSince1970)
        try Self.edit(directory, sql)
        let problem = try await Self.verify(directory).problem
        #expect(problem?.kind == kind, "\(String(describing: problem))")
        #expect(problem?.entry == entry)
    }

    @Test("Export pages carry the hash each entry chains from, and page through the record")
    func exportPages() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        try await Self.filled(directory, now: Date().timeIntervalSince1970)
        try await RecordStoreTests.withStore(directory) { store in
            var links: [ChainLink] = []
            var after: Int64?
            repeat {
                let page = try await store.exportPage(caller: nil, since: nil, after: after, limit: 2)
                #expect(page.entries.count <= 2)
                links += page.entries
                after = page.next
            } while after != nil
            #expect(links.map(\.id) == [1, 2, 3, 4, 5])
            var verifier = ChainVerifier(head: ChainHeadMark(id: 5, hash: links[4].hash))
            links.forEach { verifier.feed($0) }
            #expect(verifier.finish().verified)

            let selection = try await store.exportPage(caller: "+441", since: nil, after: nil, limit: 10)
            #expect(selection.entries.map(\.id) == [1, 3])
            #expect(!selection.contiguous)
            #expect(selection.entries[1].previousHash == links[1].hash)
            #expect(selection.entries.allSatisfy { $0.computedHash(previous: $0.previousHash!) == $0.hash })
        }
    }

    @Test("A purge deletes forgiven and faded incidents, records itself, and the chain still verifies")
    func purge() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let now = Date().timeIntervalSince1970
        try await Self.filled(directory, now: now)
        try await RecordStoreTests.withStore(directory) { store in
            let candidates = try await store.purgeCandidates(policy: Self.policy, now: now)
            #expect(candidates == [1, 2])
            let stored = try await store.enqueuePurge(
                incidents: candidates, reason: "test", template: NewEntry(type: .purge, at: now, rule: "retention", by: "retention")).wait()
            let note = try #require(stored.first?.entry.note.flatMap(PurgeNote.init(text:)))
            #expect(note.purged == [1, 2, 4])
            #expect(note.runs.map { [$0.first, $0.last] } == [[1, 2], [4, 4]])
            #expect(stored.first?.entry.outcome == "3 entries")
            let report = try await store.verify()
            #expect(report.verified, "\(String(describing: report.problem))")
            #expect(report.purged == 3)
            #expect(try await store.purgeCandidates(policy: Self.policy, now: now).isEmpty)
            #expect(try await store.entries(caller: "+442").isEmpty)
        }
        // Deleting a surviving entry besides is still caught.
        try Self.edit(directory, "DELETE FROM entries WHERE id = 3")
        #expect(try await Self.verify(directory).problem?.kind == .removed)
    }
}
