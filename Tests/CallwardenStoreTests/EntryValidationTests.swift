import CallwardenRecord
import CallwardenStore
import Foundation
import Testing

/// What the record refuses to hold, and conversions that cannot trap on any value.
@Suite("Entries the record cannot hold")
struct EntryValidationTests {
    static let valid = NewEntry(type: .incident, at: 1_800_000_000, caller: "+447700900123", call: "c1", kind: "verbal", agent: "a1", note: "swore")

    @Test("A valid entry has no problem")
    func valid() throws {
        #expect(Self.valid.problem == nil)
        try Self.valid.validate()
    }

    @Test("A NUL in any text field is refused, naming the field", arguments: ["caller", "call", "kind", "agent", "supervisor", "note", "rule", "by", "outcome"])
    func nul(field: String) {
        var entry = Self.valid
        let text = "before\u{0}after"
        switch field {
        case "caller": entry.caller = text
        case "call": entry.call = text
        case "kind": entry.kind = text
        case "agent": entry.agent = text
        case "supervisor": entry.supervisor = text
        case "note": entry.note = text
        case "rule": entry.rule = text
        case "by": entry.by = text
        default: entry.outcome = text
        }
        #expect(entry.problem?.field == field)
        #expect(entry.problem?.message.contains("NUL") == true)
        #expect(throws: EntryProblem.self) { try entry.validate() }
    }

    @Test("Other control characters and every other code point are accepted")
    func otherText() {
        var entry = Self.valid
        entry.note = "\u{1}\u{7F}\u{FEFF}\u{10FFFF} é 😀 \n\t"
        #expect(entry.problem == nil)
    }

    @Test("A time outside 1970 to 9999, or not a number, is refused", arguments: [-1, -0.000_001, 253_402_300_800, 1e13, 1e300, .infinity, -.infinity, .nan])
    func badTime(at: Double) {
        var entry = Self.valid
        entry.at = at
        #expect(entry.problem?.field == "at")
        #expect(entry.problem?.message.contains("1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z") == true)
        #expect(throws: EntryProblem.self) { try StoredEntry.micros(at) }
        #expect(throws: EntryProblem.self) { try EntryDigest.canonicalTime(at) }
    }

    @Test("An until outside 1970 to 9999, or not a number, is refused", arguments: [-1, 253_402_300_800, 1e300, .infinity, .nan])
    func badUntil(until: Double) {
        var entry = NewEntry(type: .exemption, at: 1_800_000_000, caller: "+44800*", note: "crisis line", by: "uid 0", outcome: "nuisance", until: until)
        #expect(entry.problem?.field == "until")
        #expect(entry.problem?.message.contains("1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z") == true)
        entry.until = 253_402_300_799
        #expect(entry.problem == nil)
    }

    @Test("An attestation other than A, B, C, failed or none is refused", arguments: ["a", "D", "", "none ", "A\u{0}", "FAILED", "TN-Validation-Passed"])
    func badAttestation(attestation: String) {
        var entry = Self.valid
        entry.attestation = attestation
        #expect(entry.problem?.field == "attestation")
        #expect(entry.problem?.message.contains("A, B, C, failed, none") == true)
    }

    @Test("Every caller-ID trust level is accepted", arguments: ["A", "B", "C", "failed", "none"])
    func goodAttestation(attestation: String) {
        var entry = Self.valid
        entry.attestation = attestation
        #expect(entry.problem == nil)
    }

    @Test("The ends of the window are recorded exactly")
    func windowEnds() throws {
        #expect(try StoredEntry.micros(0) == 0)
        #expect(try StoredEntry.micros(253_402_300_799) == 253_402_300_799_000_000)
        #expect(try StoredEntry.seconds(253_402_300_799_000_000) == 253_402_300_799)
        #expect(try EntryDigest.canonicalTime(1_800_000_000.123456) == "1800000000123456")
        #expect(throws: EntryProblem.self) { try StoredEntry.seconds(-1) }
        #expect(throws: EntryProblem.self) { try StoredEntry.seconds(.max) }
    }

    @Test("A ref that is not an entry id is refused", arguments: [Int64(0), -1, .max, 9_007_199_254_740_992])
    func badRef(ref: Int64) {
        var entry = NewEntry(type: .forgiveness, at: 1_800_000_000, caller: "+447700900123", note: "sorry", ref: ref, by: "uid 0")
        #expect(entry.problem?.field == "ref")
        entry.ref = 9_007_199_254_740_991
        #expect(entry.problem == nil)
    }

    @Test("An incident without a kind is refused")
    func incidentWithoutKind() {
        var entry = Self.valid
        entry.kind = nil
        #expect(entry.problem?.field == "kind")
    }

    @Test("The writer refuses a time it cannot record instead of trapping, and goes on recording")
    func writerRefusesTime() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append(Self.valid)
            var far = Self.valid
            far.at = 1e13
            await #expect(throws: EntryProblem.self) { try await store.append(far) }
            let next = try await store.append(Self.valid)
            #expect(next.entry.at == Self.valid.at)
            #expect(try await store.verify().verified)
        }
    }
}
