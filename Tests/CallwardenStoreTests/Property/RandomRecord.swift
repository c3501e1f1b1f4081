import CallwardenRecord
import CallwardenStore
import Foundation
import GRDB

/// A record written through the real `RecordStore` by a random sequence of appends, forgiveness,
/// failed commits and purges, and what is known about it afterwards (read back from the file).
struct RandomRecord {
    struct Entry: Equatable {
        var id: Int64
        var type: String
    }

    let directory: String
    /// The entries present, ascending.
    private(set) var present: [Entry] = []
    /// Every id that was committed: present, or deleted by a purge. Ids outside it were never
    /// used (a failed commit).
    private(set) var committed: Set<Int64> = []
    /// Each purge entry's runs.
    private(set) var runs: [Int64: [PurgeNote.Run]] = [:]
    private(set) var head: Int64 = 0
    private(set) var purges = 0

    var path: String { directory + "/" + RecordStore.fileName }

    /// Writes a random record into a new directory.
    static func write(using random: inout SeededGenerator, into directory: String) async throws -> RandomRecord {
        try await RecordStoreTests.withStore(directory) { store in
            var writer = Writer(store: store)
            let steps = Int.random(in: 4...36, using: &random)
            for _ in 0..<steps { try await writer.step(&random) }
            // Often end on a purge, so that the newest entries include one.
            if random.chance(0.3) { try await writer.purge(&random) }
        }
        var record = RandomRecord(directory: directory)
        try record.readBack()
        return record
    }

    private mutating func readBack() throws {
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, type, note FROM entries ORDER BY id") {
                let entry = Entry(id: row["id"], type: row["type"])
                present.append(entry)
                committed.insert(entry.id)
                if entry.type == "purge", let text: String = row["note"], let note = PurgeNote(text: text) {
                    runs[entry.id] = note.runs
                    committed.formUnion(note.purged)
                    purges += 1
                }
            }
            head = try Int64.fetchOne(db, sql: "SELECT last_id FROM chain_head") ?? 0
        }
    }

    /// The first present entry after `id` that is not in `removed`.
    func firstSurvivor(after id: Int64, removed: Set<Int64>) -> Int64? {
        present.first { $0.id > id && !removed.contains($0.id) }?.id
    }

    /// What the verifier must say once `removed` entries are deleted: removed, at the first entry
    /// that no longer chains (after a deleted entry, or after a run whose purge entry was deleted
    /// so that nothing explains the gap); a head mismatch when no entry follows any of them.
    func verdict(removing removed: Set<Int64>) -> (ChainProblem.Kind, Int64) {
        var ends: [Int64] = Array(removed)
        for id in removed { ends += (runs[id] ?? []).map(\.last) }
        let reported = ends.compactMap { firstSurvivor(after: $0, removed: removed) }.min()
        return reported.map { (.removed, $0) } ?? (.headMismatch, head)
    }

    /// What the verifier must say once entry `id`'s content is changed: changed, unless ids
    /// never used lie just before it, which look the same as removed entries.
    func verdict(changing id: Int64) -> (ChainProblem.Kind, Int64) {
        id > 1 && !committed.contains(id - 1) ? (.removed, id) : (.changed, id)
    }
}

/// The random writes.
private struct Writer {
    let store: RecordStore
    /// Incidents present, with their caller.
    var incidents: [Int64: String] = [:]
    /// Every id a purge was asked for, so that later purges aim beside earlier gaps.
    var purged: [Int64] = []

    static let callers = ["+447700900001", "+447700900002", "+447700900003", "+12025550100"]
    static let kinds = ["verbal", "threat", "nuisance"]
    /// Text with what tends to break things: quotes, backslashes, JSON and CSV punctuation,
    /// control characters, line separators, astral code points. Never NUL: the record refuses it.
    static let pieces = ["a", "Zz", " ", "\"", "\\", ",", "\n", "\r\n", "\t", "\u{1}", "\u{7F}", "é", "\u{2028}", "😀", "{}", "[1]", "null", "ü\u{308}", "\u{FEFF}"]

    static func text(_ random: inout SeededGenerator) -> String? {
        if random.chance(0.25) { return nil }
        let count = Int.random(in: 0...6, using: &random)
        return (0..<count).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    /// A caller-ID trust level, or none given (most entries written before it existed).
    static func attestation(_ random: inout SeededGenerator) -> String? {
        random.chance(0.5) ? nil : ["A", "B", "C", "failed", "none"].randomElement(using: &random)
    }

    /// An end time, or none.
    static func until(_ random: inout SeededGenerator) -> Double? {
        random.chance(0.5) ? nil : time(&random)
    }

    static func time(_ random: inout SeededGenerator) -> Double {
        // Anywhere in the window, to the microsecond.
        Double(Int64.random(in: 0...4_000_000_000_000_000, using: &random)) / 1_000_000
    }

    mutating func step(_ random: inout SeededGenerator) async throws {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<55: try await append(&random)
        case 55..<70: try await forgive(&random)
        case 70..<76: await failedCommit(&random)
        default: try await purge(&random)
        }
    }

    mutating func append(_ random: inout SeededGenerator) async throws {
        let count = Int.random(in: 1...4, using: &random)
        var batch: [NewEntry] = []
        for _ in 0..<count {
            let caller = random.chance(0.1) ? nil : Self.callers.randomElement(using: &random)
            if random.chance(0.7) {
                batch.append(NewEntry(
                    type: .incident, at: Self.time(&random), caller: caller, call: Self.text(&random), kind: Self.kinds.randomElement(using: &random),
                    agent: Self.text(&random), note: Self.text(&random), rule: Self.text(&random), by: Self.text(&random),
                    attestation: Self.attestation(&random)))
            } else if random.chance(0.3) {
                // Exemptions and reviews: kept by every purge, with the fields added for them.
                let type = [EntryType.exemption, .exemptionEnd, .review].randomElement(using: &random)!
                batch.append(NewEntry(
                    type: type, at: Self.time(&random), caller: random.chance(0.5) ? "+44800*" : caller, note: Self.text(&random),
                    ref: type == .exemptionEnd ? Int64.random(in: 1...40, using: &random) : nil, by: Self.text(&random),
                    outcome: Self.text(&random), until: type == .exemption ? Self.until(&random) : nil))
            } else {
                let type = [EntryType.callStart, .warning, .hangupRequest, .verdict, .callEnd].randomElement(using: &random)!
                batch.append(NewEntry(
                    type: type, at: Self.time(&random), caller: caller, call: "c\(Int.random(in: 1...5, using: &random))",
                    agent: Self.text(&random), supervisor: Self.text(&random), note: Self.text(&random), by: Self.text(&random),
                    outcome: Self.text(&random), attestation: type == .callStart ? Self.attestation(&random) : nil))
            }
        }
        for stored in try await store.append(batch) where stored.entry.type == .incident {
            incidents[stored.id] = stored.entry.caller ?? ""
        }
    }

    mutating func forgive(_ random: inout SeededGenerator) async throws {
        // Picked from the ids in order: a dictionary's own order changes from run to run, and a
        // case must replay from its seed.
        guard let id = incidents.keys.sorted().randomElement(using: &random), let caller = incidents[id] else { return try await append(&random) }
        _ = try await store.append(NewEntry(
            type: .forgiveness, at: Self.time(&random), caller: caller, note: Self.text(&random), ref: id, by: "uid 0", until: Self.until(&random)))
    }

    /// A commit that fails (a time the record cannot hold): its ids may be left unused.
    mutating func failedCommit(_ random: inout SeededGenerator) async {
        var batch = [NewEntry(type: .incident, at: Self.time(&random), caller: Self.callers[0], kind: "verbal")]
        batch.append(NewEntry(type: .incident, at: 1e13, caller: Self.callers[1], kind: "verbal"))
        _ = try? await store.append(batch)
    }

    /// Purges a few incidents: some at random, some beside earlier purges' gaps, now and then
    /// one already gone.
    mutating func purge(_ random: inout SeededGenerator) async throws {
        var chosen = Set<Int64>()
        let ids = incidents.keys.sorted()
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            if let gap = purged.randomElement(using: &random), random.chance(0.5) {
                chosen.insert(gap + Int64.random(in: -2...2, using: &random))
            } else if let id = ids.randomElement(using: &random) {
                chosen.insert(id)
            }
        }
        chosen = chosen.filter { $0 > 0 }
        let template = NewEntry(type: .purge, at: Self.time(&random), rule: "retention", by: "retention")
        let stored = try await store.enqueuePurge(incidents: Array(chosen), reason: "property test", template: template).wait()
        let note = stored.first?.entry.note.flatMap(PurgeNote.init(text:))
        for id in note?.purged ?? [] { incidents[id] = nil }
        purged += chosen
    }
}
