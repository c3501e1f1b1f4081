import CallwardenExport
import CallwardenRecord
import CallwardenStore
import Foundation
import Testing

/// The two fields added after `outcome` (`attestation`, `until`) and the entry types added with
/// them (exemption, exemption_end, review): in the chain only when present, carried by exports,
/// checked by both verifiers, and never purged.
@Suite("Attestation, until, exemptions and reviews in the record")
struct AttestationAndUntilTests {
    static let incident = NewEntry(type: .incident, at: 1_800_000_000.25, caller: "+447700900123", call: "c1", kind: "verbal", note: "swore")

    // The expected hashes were computed outside callwarden, by the canonical form of
    // docs/record.md (the fourteen fields, then `attestation:LEN:VALUE` and `until:LEN:VALUE`
    // when present), so that they pin the form itself, not this version's code.

    @Test("An entry without attestation or until hashes exactly as entries did before they existed")
    func oldEntryKeepsItsHash() throws {
        let hash = try EntryDigest.hash(previous: EntryDigest.genesis, id: 1, recordedAt: 1_800_000_000.5, entry: Self.incident)
        #expect(hash == "5f0eb7bfbef3034f55b1a1ae74af11dce5ecde9c6fc6af62963481747b3157f4")
    }

    @Test("Attestation and until are hashed after outcome, only when present")
    func newFieldsHashed() throws {
        var attested = Self.incident
        attested.attestation = "C"
        #expect(try EntryDigest.hash(previous: EntryDigest.genesis, id: 1, recordedAt: 1_800_000_000.5, entry: attested)
            == "ef74f442cb80ca596c64c2b3f89efc5751a30493f66efafa194e9b8e8959a646")
        let exemption = NewEntry(
            type: .exemption, at: 1_800_000_000.25, caller: "+44800*", note: "crisis line", by: "uid 0", outcome: "nuisance,supervisor", until: 1_900_000_000)
        #expect(try EntryDigest.hash(previous: EntryDigest.genesis, id: 2, recordedAt: 1_800_000_000.5, entry: exemption)
            == "ad608e4a9330c15e9bd438856d3956474a5a6feb97261386e06541cfaf74f681")
    }

    /// One entry of each kind that carries the new fields, and some that do not.
    static func written(_ store: RecordStore) async throws -> [StoredEntry] {
        try await store.append([
            NewEntry(type: .callStart, at: 1_800_000_000, caller: "+441", call: "c1", agent: "a1", attestation: "A"),
            NewEntry(type: .incident, at: 1_800_000_001, caller: "+441", call: "c1", kind: "verbal", attestation: "failed"),
            NewEntry(type: .incident, at: 1_800_000_002, caller: "+442", kind: "threat"),
            NewEntry(type: .forgiveness, at: 1_800_000_003, caller: "+441", note: "apologised", ref: 2, by: "uid 0", until: 1_802_592_003.5),
            NewEntry(type: .exemption, at: 1_800_000_004, caller: "+44800*", note: "crisis line", by: "uid 0", outcome: "nuisance,supervisor", until: 1_900_000_000),
            NewEntry(type: .exemptionEnd, at: 1_800_000_005, note: "line closed", ref: 5, by: "uid 0"),
            NewEntry(type: .review, at: 1_800_000_006, caller: "+442", note: "still abusive", by: "uid 0", outcome: "renew"),
        ])
    }

    @Test("Stored entries read back with attestation and until, to the microsecond")
    func readBack() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let written = try await RecordStoreTests.withStore(directory) { store in try await Self.written(store) }
        let read = try await RecordStoreTests.withStore(directory) { store in
            var read: [StoredEntry] = []
            try store.forEachEntry(ofTypes: EntryType.allCases) { read.append($0) }
            return read
        }
        #expect(read == written)
        #expect(read.map(\.entry.attestation) == ["A", "failed", nil, nil, nil, nil, nil])
        #expect(read.map(\.entry.until) == [nil, nil, nil, 1_802_592_003.5, 1_900_000_000, nil, nil])
    }

    @Test("An export with the new fields verifies by the export verifier and by the Python program")
    func exportVerifies() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let export = try await RecordStoreTests.withStore(directory) { store in
            _ = try await Self.written(store)
            return try await ExportFile.read(store, limit: 3)
        }
        #expect(export.entries[0]["attestation"] as? String == "A")
        #expect(export.entries[3]["until_us"] as? Int64 == 1_802_592_003_500_000)
        #expect(export.entries[2]["attestation"] == nil && export.entries[2]["until_us"] == nil)
        let verification = try ExportVerification.verify(bytes: [UInt8](export.bytes)).get()
        #expect(verification.verified, "\(String(describing: verification.problem))")
        try #require(PythonVerifier.python != nil, "python3 is needed to run the verifier of docs/record.md")
        let file = directory + "/export.json"
        try export.write(to: file)
        let (verified, printed) = try PythonVerifier.verifies(file)
        #expect(verified, "\(printed)")
    }

    /// What an edit of an export puts in a field.
    enum Value: Sendable {
        case text(String), number(Int64), null, absent

        var json: Any? {
            switch self {
            case .text(let text): text
            case .number(let number): number
            case .null: NSNull()
            case .absent: nil
            }
        }
    }

    @Test("An export whose attestation or until was added, changed or taken away does not verify, by either verifier", arguments: [
        ("attestation changed", 0, "attestation", Value.text("C")),
        ("attestation taken away", 1, "attestation", .absent),
        ("attestation added", 2, "attestation", .text("A")),
        ("attestation made null", 0, "attestation", .null),
        ("until changed", 3, "until_us", .number(1_802_592_003_500_001)),
        ("until taken away", 4, "until_us", .absent),
        ("until added", 6, "until_us", .number(1_900_000_000_000_000)),
    ])
    func exportEdited(description: String, index: Int, key: String, value: Value) async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        var export = try await RecordStoreTests.withStore(directory) { store in
            _ = try await Self.written(store)
            return try await ExportFile.read(store, limit: 500)
        }
        export.entries[index][key] = value.json
        let problem = try ExportVerification.verify(bytes: [UInt8](export.bytes)).get().problem
        #expect(problem?.kind == .changed, "\(description): \(String(describing: problem))")
        #expect(problem?.entry == Int64(index + 1))
        try #require(PythonVerifier.python != nil, "python3 is needed to run the verifier of docs/record.md")
        let file = directory + "/edited.json"
        try export.write(to: file)
        let (verified, printed) = try PythonVerifier.verifies(file)
        #expect(!verified, "\(description): \(printed)")
        #expect(printed.contains("entry \(index + 1) does not verify"), "\(printed)")
    }

    @Test("The record's attestation or until edited in the file is found as that entry changed", arguments: [
        ("UPDATE entries SET attestation = 'B' WHERE id = 1", Int64(1)),
        ("UPDATE entries SET attestation = NULL WHERE id = 2", 2),
        ("UPDATE entries SET attestation = 'A' WHERE id = 3", 3),
        ("UPDATE entries SET until_us = until_us + 1 WHERE id = 4", 4),
        ("UPDATE entries SET until_us = NULL WHERE id = 5", 5),
        ("UPDATE entries SET until_us = 0 WHERE id = 7", 7),
    ])
    func recordEdited(sql: String, entry: Int64) async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let problem = try await RecordStoreTests.withStore(directory) { store in
            _ = try await Self.written(store)
            try RecordChainTests.edit(directory, sql)
            return try await store.verify().problem
        }
        #expect(problem?.kind == .changed, "\(String(describing: problem))")
        #expect(problem?.entry == entry)
    }

    @Test("A purge never deletes exemption, exemption_end or review entries, nor a forgiveness that opened a grace period, even when asked to")
    func purgeKeepsExemptionsAndReviews() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        try await RecordStoreTests.withStore(directory) { store in
            var written = try await Self.written(store)
            // A forgiveness without a grace period (9), which goes with its incident (8).
            written += try await store.append([
                NewEntry(type: .incident, at: 1_800_000_007, caller: "+443", kind: "verbal"),
                NewEntry(type: .forgiveness, at: 1_800_000_008, caller: "+443", note: "apologised", ref: 8, by: "uid 0"),
            ])
            let kept: [EntryType] = [.exemption, .exemptionEnd, .review]
            let protected = written.filter { kept.contains($0.entry.type) }.map(\.id)
            #expect(protected == [5, 6, 7])
            // Every id in the record, as a purge order: only incidents and the forgiveness
            // without a grace period go; entry 4 opened one, which outlives the incident.
            let template = NewEntry(type: .purge, at: 1_800_000_010, rule: "retention", by: "uid 0")
            let stored = try await store.enqueuePurge(incidents: written.map(\.id), reason: "test", template: template).wait()
            let note = try #require(stored.first?.entry.note.flatMap(PurgeNote.init(text:)))
            #expect(note.purged == [2, 3, 8, 9])
            var left: [Int64] = []
            try store.forEachEntry(ofTypes: EntryType.allCases) { left.append($0.id) }
            #expect(left == [1, 4, 5, 6, 7, 10])
            let report = try await store.verify()
            #expect(report.verified, "\(String(describing: report.problem))")
        }
    }
}
