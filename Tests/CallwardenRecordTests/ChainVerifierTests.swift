import CallwardenRecord
import Testing

/// A chain built in memory, the way the store builds it, to tamper with.
struct Chain {
    var links: [ChainLink] = []

    static func fields(id: Int64, type: String = "incident", note: String? = nil) -> [ChainField] {
        ChainDigest.fieldNames.map { name in
            switch name {
            case "id": ChainField(name, String(id))
            case "recorded_at", "at": ChainField(name, String(1_800_000_000_000_000 + id))
            case "type": ChainField(name, type)
            case "caller": ChainField(name, "+447700900123")
            case "kind": ChainField(name, type == "incident" ? "verbal" : nil)
            case "note": ChainField(name, note ?? "entry \(id)")
            default: ChainField(name, nil)
            }
        }
    }

    init(count: Int) {
        for id in 1...Int64(count) { append(id: id) }
    }

    mutating func append(id: Int64, type: String = "incident", note: String? = nil) {
        let previous = links.last?.hash ?? ChainDigest.genesis
        let fields = Self.fields(id: id, type: type, note: note)
        links.append(ChainLink(id: id, fields: fields, hash: ChainDigest.hash(previous: previous, fields: fields)))
    }

    var head: ChainHeadMark { ChainHeadMark(id: links.last!.id, hash: links.last!.hash) }

    func verify(_ links: [ChainLink]? = nil, purges: PurgeIndex = PurgeIndex(), head: ChainHeadMark? = nil) -> ChainReport {
        var verifier = ChainVerifier(purges: purges, head: head ?? self.head)
        for link in links ?? self.links { verifier.feed(link) }
        return verifier.finish()
    }
}

@Suite("The chain verifier")
struct ChainVerifierTests {
    @Test("An untouched chain verifies, and an empty one too")
    func untouched() {
        let chain = Chain(count: 6)
        let report = chain.verify()
        #expect(report.verified)
        #expect(report.entries == 6)
        #expect(report.lastID == 6)
        var empty = ChainVerifier(head: nil)
        #expect(empty.finish().verified)
    }

    @Test("A changed field names the entry as changed")
    func changed() {
        let chain = Chain(count: 6)
        var links = chain.links
        links[2].fields[9].value = "something else"
        let problem = chain.verify(links).problem
        #expect(problem?.kind == .changed)
        #expect(problem?.entry == 3)
    }

    @Test("A change to the newest entry is caught by the head")
    func changedNewest() {
        let chain = Chain(count: 4)
        var links = chain.links
        links[3].fields[9].value = "rewritten"
        let problem = chain.verify(links).problem
        #expect(problem?.kind == .changed)
        #expect(problem?.entry == 4)
    }

    @Test("A removed entry is named, with the entry that no longer chains")
    func removed() {
        let chain = Chain(count: 6)
        var links = chain.links
        links.remove(at: 2)
        let problem = chain.verify(links).problem
        #expect(problem?.kind == .removed)
        #expect(problem?.entry == 4)
        #expect(problem?.message.contains("entry 3 was removed") == true)
    }

    @Test("Removing the newest entries is a head mismatch")
    func removedNewest() {
        let chain = Chain(count: 6)
        let problem = chain.verify(Array(chain.links.prefix(4))).problem
        #expect(problem?.kind == .headMismatch)
        #expect(problem?.entry == 6)
    }

    @Test("Two entries swapped, by id or by content, are reordered", arguments: [true, false])
    func reordered(swapIDs: Bool) {
        let chain = Chain(count: 6)
        var links = chain.links
        if swapIDs {
            // Rows keep their content and hash; their ids (their place) are exchanged.
            links[1].id = 4
            links[1].fields[0].value = "4"
            links[3].id = 2
            links[3].fields[0].value = "2"
            links.sort { $0.id < $1.id }
        } else {
            // Ids stay; everything else is exchanged.
            let second = links[1]
            let fourth = links[3]
            links[1] = fourth
            links[1].id = 2
            links[1].fields[0].value = "2"
            links[3] = second
            links[3].id = 4
            links[3].fields[0].value = "4"
        }
        let problem = chain.verify(links).problem
        #expect(problem?.kind == .reordered)
        #expect(problem?.entry == 2)
    }

    @Test("A purge described by its entry verifies; a gap without one does not")
    func purge() {
        var chain = Chain(count: 6)
        let note = PurgeNote(reason: "retention", purged: [2, 3, 5], runs: [
            PurgeNote.Run(first: 2, last: 3, previousHash: chain.links[0].hash, lastHash: chain.links[2].hash),
            PurgeNote.Run(first: 5, last: 5, previousHash: chain.links[3].hash, lastHash: chain.links[4].hash),
        ])
        chain.append(id: 7, type: "purge", note: note.text)
        let kept = chain.links.filter { ![2, 3, 5].contains($0.id) }
        let purges = PurgeIndex([(entry: 7, note: note)])
        let report = chain.verify(kept, purges: purges)
        #expect(report.verified, "\(String(describing: report.problem))")
        #expect(report.purged == 3)

        // Entry 4, between two purged runs, removed besides: not described by the purge.
        let problem = chain.verify(kept.filter { $0.id != 4 }, purges: purges).problem
        #expect(problem?.kind == .removed)
        #expect(problem?.entry == 6)
        #expect(problem?.message.contains("entry 4 was removed") == true)
        // Entry 1, before the first purged run, removed.
        #expect(chain.verify(kept.filter { $0.id != 1 }, purges: purges).problem?.kind == .removed)

        // An entry the purge lists as deleted is still there.
        let stillThere = chain.links.filter { ![2, 3].contains($0.id) }
        #expect(chain.verify(stillThere, purges: purges).problem?.kind == .purgeMismatch)
    }

    @Test("Purge notes read back as written")
    func purgeNoteRoundTrip() {
        let note = PurgeNote(reason: "retention: forgiven 730d", purged: [1, 2], runs: [PurgeNote.Run(first: 1, last: 2, previousHash: ChainDigest.genesis, lastHash: ChainDigest.genesis)])
        #expect(PurgeNote(text: note.text) == note)
        #expect(note.text.contains("\"last_hash\""))
        #expect(PurgeNote(text: "not json") == nil)
    }

    @Test("Runs split where a surviving entry lies between")
    func runs() {
        let present: Set<Int64> = [1, 2, 3, 4, 5, 6, 7, 9]
        let runs = PurgeNote.runs(of: [2, 3, 5, 7, 9]) { first, second in
            !present.contains { $0 > first && $0 < second && ![2, 3, 5, 7, 9].contains($0) }
        } hash: { "h\($0)" } previous: { "p\($0)" }
        #expect(runs.map { [$0.first, $0.last] } == [[2, 3], [5, 5], [7, 9]])
    }
}

@Suite("Purged runs written by earlier versions")
struct MergedRunTests {
    /// Entries 1-6; an earlier purge deleted 3, a later one 2 and 4 as one merged run 2-4, as
    /// callwarden wrote it before runs were split at earlier gaps.
    static func mergedRecord() -> (chain: Chain, kept: [ChainLink], purges: PurgeIndex) {
        var chain = Chain(count: 6)
        let hash = { (id: Int64) in chain.links[Int(id) - 1].hash }
        let earlier = PurgeNote(reason: "retention", purged: [3], runs: [PurgeNote.Run(first: 3, last: 3, previousHash: hash(2), lastHash: hash(3))])
        chain.append(id: 7, type: "purge", note: earlier.text)
        let later = PurgeNote(reason: "retention", purged: [2, 4], runs: [PurgeNote.Run(first: 2, last: 4, previousHash: hash(1), lastHash: hash(4))])
        chain.append(id: 8, type: "purge", note: later.text)
        let kept = chain.links.filter { ![2, 3, 4].contains($0.id) }
        return (chain, kept, PurgeIndex([(entry: 7, note: earlier), (entry: 8, note: later)]))
    }

    @Test("A run lying inside a later purge's merged run is covered by it: the record verifies")
    func mergedRunVerifies() {
        let (chain, kept, purges) = Self.mergedRecord()
        let report = chain.verify(kept, purges: purges)
        #expect(report.verified, "\(String(describing: report.problem))")
        #expect(report.purged == 3)
    }

    @Test("Beside a merged run, a removed entry is still named")
    func removedBesideMergedRun() {
        let (chain, kept, purges) = Self.mergedRecord()
        let problem = chain.verify(kept.filter { $0.id != 5 }, purges: purges).problem
        #expect(problem?.kind == .removed)
        #expect(problem?.entry == 6)
        #expect(problem?.message.contains("entry 5 was removed") == true)
    }

    @Test("Only runs lying wholly inside another are dropped")
    func outermost() {
        let run = { (first: Int64, last: Int64) in PurgeNote.Run(first: first, last: last, previousHash: "p\(first)", lastHash: "l\(last)") }
        let index = PurgeIndex([
            (entry: 20, note: PurgeNote(reason: "", purged: [], runs: [run(3, 3), run(6, 7), run(12, 12)])),
            (entry: 21, note: PurgeNote(reason: "", purged: [], runs: [run(2, 8), run(10, 10)])),
        ])
        #expect(index.runs(after: nil, before: 100).map { [$0.first, $0.last] } == [[2, 8], [10, 10], [12, 12]])
    }
}

@Suite("Diagnosis across purged runs")
struct DiagnosisAcrossRunsTests {
    @Test("Two entries swapped, the first just before a purged run, are reordered, not changed")
    func reorderedBeforeRun() {
        var chain = Chain(count: 6)
        let hash = { (id: Int64) in chain.links[Int(id) - 1].hash }
        let note = PurgeNote(reason: "retention", purged: [3], runs: [PurgeNote.Run(first: 3, last: 3, previousHash: hash(2), lastHash: hash(3))])
        chain.append(id: 7, type: "purge", note: note.text)
        var kept = chain.links.filter { $0.id != 3 }
        // Entries 2 and 5 exchange places (ids stay, everything else moves).
        let second = kept[1]
        let fifth = kept[3]
        kept[1] = fifth
        kept[1].id = 2
        kept[1].fields[0].value = "2"
        kept[3] = second
        kept[3].id = 5
        kept[3].fields[0].value = "5"
        // Entry 4 chains from the run's end whatever entry 2 holds: that confirms nothing.
        let problem = chain.verify(kept, purges: PurgeIndex([(entry: 7, note: note)])).problem
        #expect(problem?.kind == .reordered, "\(String(describing: problem))")
        #expect(problem?.entry == 2)
    }

    @Test("A changed entry just before a purged run is named as changed")
    func changedBeforeRun() {
        var chain = Chain(count: 6)
        let hash = { (id: Int64) in chain.links[Int(id) - 1].hash }
        let note = PurgeNote(reason: "retention", purged: [3], runs: [PurgeNote.Run(first: 3, last: 3, previousHash: hash(2), lastHash: hash(3))])
        chain.append(id: 7, type: "purge", note: note.text)
        var kept = chain.links.filter { $0.id != 3 }
        kept[1].fields[9].value = "rewritten"
        let problem = chain.verify(kept, purges: PurgeIndex([(entry: 7, note: note)])).problem
        #expect(problem?.kind == .changed, "\(String(describing: problem))")
        #expect(problem?.entry == 2)
    }
}
