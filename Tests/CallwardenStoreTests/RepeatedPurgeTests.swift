import CallwardenRecord
import CallwardenStore
import Foundation
import Testing

/// Retention run more than once over the same stretch of the record, on a real SQLite file: a
/// later purge deleting entries on both sides of an earlier purge's gap.
@Suite("Repeated purges")
struct RepeatedPurgeTests {
    static func purge(_ store: RecordStore, _ incidents: [Int64]) async throws -> PurgeNote {
        let template = NewEntry(type: .purge, at: 1_800_000_000, rule: "retention", by: "retention")
        let stored = try await store.enqueuePurge(incidents: incidents, reason: "test", template: template).wait()
        return try #require(stored.first?.entry.note.flatMap(PurgeNote.init(text:)))
    }

    @Test("A purge beside an earlier purge's gap leaves a record that verifies")
    func purgeBesideEarlierGap() async throws {
        try await RecordStoreTests.withStore(RecordStoreTests.temporaryDirectory()) { store in
            for index in 1...6 {
                _ = try await store.append(NewEntry(type: .incident, at: 1_700_000_000 + Double(index), caller: "+44\(index)", kind: "verbal"))
            }
            _ = try await Self.purge(store, [3])
            let second = try await Self.purge(store, [2, 4])
            // Split at the earlier gap: each run begins where the chain has got to.
            #expect(second.runs.map { [$0.first, $0.last] } == [[2, 2], [4, 4]])
            let report = try await store.verify()
            #expect(report.verified, "\(String(describing: report.problem))")
            #expect(report.purged == 3)
        }
    }

    @Test("Three purges closing in on one another's gaps leave a record that verifies")
    func purgesInterleaved() async throws {
        try await RecordStoreTests.withStore(RecordStoreTests.temporaryDirectory()) { store in
            for index in 1...12 {
                _ = try await store.append(NewEntry(type: .incident, at: 1_700_000_000 + Double(index), caller: "+44\(index)", kind: "verbal"))
            }
            _ = try await Self.purge(store, [4, 8])
            _ = try await Self.purge(store, [3, 5, 7, 9])
            _ = try await Self.purge(store, [2, 6, 10])
            let report = try await store.verify()
            #expect(report.verified, "\(String(describing: report.problem))")
            #expect(report.purged == 9)
        }
    }
}
