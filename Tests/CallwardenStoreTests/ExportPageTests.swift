import CallwardenRecord
import CallwardenStore
import Foundation
import Testing

/// Export pages on a real record: `since` found from any page, and the purge index reused between
/// pages only while no purge has changed it.
@Suite("Export pages")
struct ExportPageTests {
    static func all(_ store: RecordStore, since: Double?, limit: Int) async throws -> [ChainLink] {
        var links: [ChainLink] = []
        var after: Int64?
        repeat {
            let page = try await store.exportPage(caller: nil, since: since, after: after, limit: limit)
            links += page.entries
            after = page.next
        } while after != nil
        return links
    }

    @Test("A since export starts at the first entry recorded since then, page after page")
    func since() async throws {
        try await RecordStoreTests.withStore(RecordStoreTests.temporaryDirectory()) { store in
            var recorded: [StoredEntry] = []
            for index in 0..<6 {
                recorded.append(try await store.append(NewEntry(type: .incident, at: 1_800_000_000 + Double(index), caller: "+441", kind: "verbal")))
            }
            // The first entry recorded at or after the fourth's time; earlier ones may share it.
            let since = recorded[3].recordedAt
            let first = try #require(recorded.first { $0.recordedAt >= since }?.id)
            let whole = try await Self.all(store, since: since, limit: 1000)
            #expect(whole.map(\.id) == Array(first...6))
            #expect(try await Self.all(store, since: since, limit: 1).map(\.id) == whole.map(\.id))
            #expect(try await Self.all(store, since: 0, limit: 2).map(\.id) == Array(1...6))
            #expect(try await Self.all(store, since: -1e300, limit: 2).map(\.id) == Array(1...6))
            #expect(try await Self.all(store, since: 253_402_300_799, limit: 2).isEmpty)
            #expect(try await Self.all(store, since: .infinity, limit: 2).isEmpty)
            #expect(try await Self.all(store, since: .nan, limit: 2).isEmpty)
        }
    }

    @Test("A purge between two export pages is reflected in the next page's hashes")
    func purgeBetweenPages() async throws {
        try await RecordStoreTests.withStore(RecordStoreTests.temporaryDirectory()) { store in
            for index in 0..<5 {
                _ = try await store.append(NewEntry(type: .incident, at: 1_800_000_000 + Double(index), caller: "+441", kind: "verbal"))
            }
            let before = try await store.exportPage(caller: nil, since: nil, after: 2, limit: 1)
            #expect(before.entries.first?.id == 3)
            let template = NewEntry(type: .purge, at: 1_800_000_100, rule: "retention", by: "retention")
            let stored = try await store.enqueuePurge(incidents: [2], reason: "test", template: template).wait()
            let note = try #require(stored.first?.entry.note.flatMap(PurgeNote.init(text:)))
            let after = try await store.exportPage(caller: nil, since: nil, after: 2, limit: 1)
            #expect(after.entries.first?.id == 3)
            #expect(after.entries.first?.previousHash == note.runs.first?.lastHash)
            #expect(after.entries.first?.previousHash == before.entries.first?.previousHash)
            // Entry 3 now follows the purged run; its page reads the new purge entry.
            let whole = try await Self.all(store, since: nil, limit: 2)
            var verifier = ChainVerifier(purges: PurgeIndex([(entry: stored[0].id, note: note)]), head: ChainHeadMark(id: stored[0].id, hash: stored[0].hash))
            whole.forEach { verifier.feed($0) }
            #expect(verifier.finish().verified)
        }
    }
}
