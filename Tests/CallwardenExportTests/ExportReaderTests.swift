import CallwardenExport
import CallwardenRecord
import Foundation
import Testing

/// An export built in memory the way callwardenctl writes one, to read back and to edit.
struct ExportText {
    var entries: [ChainLink] = []
    var chain = "complete"

    static func fields(id: Int64, type: String, note: String?) -> [ChainField] {
        ChainDigest.fieldNames.map { name in
            switch name {
            case "id": ChainField(name, String(id))
            case "recorded_at", "at": ChainField(name, String(1_800_000_000_000_000 + id))
            case "type": ChainField(name, type)
            case "caller": ChainField(name, "+447700900123")
            case "kind": ChainField(name, type == "incident" ? "verbal" : nil)
            case "note": ChainField(name, note)
            default: ChainField(name, nil)
            }
        }
    }

    /// Appends an entry chained from the last one, or from `previous` (the end of a purged run).
    /// - Parameter optional: values of `ChainDigest.optionalFieldNames` fields the entry has.
    mutating func append(id: Int64, type: String = "incident", note: String? = nil, previous: String? = nil, optional: [ChainField] = []) {
        let from = previous ?? entries.last?.hash ?? ChainDigest.genesis
        let fields = Self.fields(id: id, type: type, note: note ?? "entry \(id)") + optional
        entries.append(ChainLink(id: id, fields: fields, hash: ChainDigest.hash(previous: from, fields: fields), previousHash: from))
    }

    var text: String {
        var lines: [String] = []
        for link in entries {
            var parts: [String] = []
            for field in link.fields {
                let key = ["recorded_at", "at", "until"].contains(field.name) ? field.name + "_us" : field.name
                let value: String
                if let text = field.value {
                    value = ["id", "recorded_at", "at", "ref", "until"].contains(field.name) ? text : Self.quoted(text)
                } else {
                    value = "null"
                }
                parts.append("\"\(key)\":\(value)")
            }
            parts.append("\"prev_hash\":\(link.previousHash.map(Self.quoted) ?? "null")")
            parts.append("\"hash\":\"\(link.hash)\"")
            lines.append("{" + parts.joined(separator: ",") + "}")
        }
        let head = entries.last.map { "{\"hash\":\"\($0.hash)\",\"id\":\($0.id)}" } ?? "null"
        return "{\"format\":\"callwarden-export\",\"version\":1,\"chain\":\"\(chain)\",\"filter\":{\"caller\":null,\"since\":null},\n\"entries\":[\n"
            + lines.joined(separator: ",\n") + "\n],\"head\":\(head)}\n"
    }

    static func quoted(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    /// Six entries, then a purge of 3, then a purge of 2 and 4 as one merged run over the
    /// earlier gap (as earlier versions of callwarden wrote it), then one more entry.
    static func merged() -> ExportText {
        var all = ExportText()
        for id in Int64(1)...6 { all.append(id: id) }
        let hash = { (id: Int64) in all.entries[Int(id) - 1].hash }
        var export = ExportText()
        export.append(id: 1)
        let earlier = PurgeNote(reason: "retention", purged: [3], runs: [.init(first: 3, last: 3, previousHash: hash(2), lastHash: hash(3))])
        let later = PurgeNote(reason: "retention", purged: [2, 4], runs: [.init(first: 2, last: 4, previousHash: hash(1), lastHash: hash(4))])
        export.entries.append(all.entries[4])
        export.entries[1].previousHash = hash(4)
        export.entries.append(all.entries[5])
        // The purge entries chain on from entry 6, as the store appended them.
        var rest = all
        rest.append(id: 7, type: "purge", note: earlier.text)
        rest.append(id: 8, type: "purge", note: later.text)
        rest.append(id: 9)
        export.entries += rest.entries.suffix(3)
        return export
    }
}

@Suite("Reading and verifying an export")
struct ExportReaderTests {
    static func verify(_ text: String) -> Result<ExportVerification, ExportError> {
        ExportVerification.verify(bytes: Array(text.utf8))
    }

    @Test("A whole export verifies")
    func genuine() throws {
        var export = ExportText()
        for id in Int64(1)...5 { export.append(id: id) }
        let verification = try Self.verify(export.text).get()
        #expect(verification.verified)
        #expect(verification.entries == 5)
        #expect(verification.firstID == 1 && verification.lastID == 5)
    }

    @Test("An export of a record with a run merged over an earlier purge's gap verifies")
    func mergedRuns() throws {
        let verification = try Self.verify(ExportText.merged().text).get()
        #expect(verification.verified, "\(String(describing: verification.problem))")
        #expect(verification.report?.purged == 3)
    }

    @Test("A suffix export with nothing in it verifies; a whole one with nothing but a head does not")
    func empty() throws {
        let suffix = "{\"format\":\"callwarden-export\",\"version\":1,\"chain\":\"suffix\",\"entries\":[],\"head\":{\"id\":7,\"hash\":\"\(ChainDigest.genesis)\"}}"
        #expect(try Self.verify(suffix).get().verified)
        let whole = suffix.replacingOccurrences(of: "\"suffix\"", with: "\"complete\"")
        #expect(try Self.verify(whole).get().problem?.kind == .headMismatch)
    }

    @Test("An id no entry can have is refused as not a valid export", arguments: [
        "-1", "0", "9223372036854775807", "-9223372036854775808", "9007199254740992", "1e300", "1e400", "1.5", "\"1\"", "null", "[1]",
    ])
    func absurdID(id: String) {
        var export = ExportText()
        for id in Int64(1)...3 { export.append(id: id) }
        let text = export.text.replacingOccurrences(of: "{\"id\":2,", with: "{\"id\":\(id),")
        guard case .failure(let error) = Self.verify(text) else {
            Issue.record("an entry with id \(id) was read")
            return
        }
        #expect(error.message.contains("id"), "\(error)")
    }

    @Test("A head no record can have is refused", arguments: ["-1", "9223372036854775807", "1e300", "\"3\"", "{}"])
    func absurdHead(id: String) {
        var export = ExportText()
        for id in Int64(1)...3 { export.append(id: id) }
        let text = export.text.replacingOccurrences(of: ",\"id\":3}}", with: ",\"id\":\(id)}}")
        #expect(throws: ExportError.self) { try Self.verify(text).get() }
    }

    @Test("Absurd numbers in fields are hashed as written: the entry does not verify", arguments: ["1e400", "-0", "99999999999999999999999999", "1.0000000000000000001"])
    func absurdField(value: String) throws {
        var export = ExportText()
        for id in Int64(1)...3 { export.append(id: id) }
        let text = export.text.replacingOccurrences(of: "\"at_us\":1800000000000002", with: "\"at_us\":\(value)")
        #expect(text != export.text)
        let problem = try Self.verify(text).get().problem
        #expect(problem?.entry == 2, "\(String(describing: problem))")
    }

    @Test("Purge notes with absurd runs are judged, never trapped on", arguments: [
        (Int64.min, Int64.max), (Int64.max, Int64.max), (Int64.min, Int64.min), (5, 2), (-3, -1), (0, 0),
    ])
    func absurdRuns(first: Int64, last: Int64) throws {
        var export = ExportText()
        for id in Int64(1)...3 { export.append(id: id) }
        let note = PurgeNote(reason: "x", purged: [first, last], runs: [.init(first: first, last: last, previousHash: ChainDigest.genesis, lastHash: ChainDigest.genesis)])
        export.append(id: 4, type: "purge", note: note.text)
        export.append(id: 6)
        // Whatever the runs claim, a verdict is given.
        _ = try Self.verify(export.text).get()
    }

    @Test("What is not an export is refused with a reason", arguments: [
        "", "[]", "{}", "null", "1e999", "{\"format\":\"callwarden-export\"}", "{\"format\":\"callwarden-export\",\"version\":1e300,\"chain\":\"complete\"}",
        "{\"format\":\"callwarden-export\",\"version\":1,\"chain\":\"complete\",\"entries\":{}}",
        "{\"format\":\"callwarden-export\",\"version\":1,\"chain\":\"complete\",\"entries\":[1]}",
        String(repeating: "[", count: 100_000), "id,recorded_at,type\r\n1,2,3\r\n",
    ])
    func notAnExport(text: String) {
        #expect(throws: ExportError.self) { try Self.verify(text).get() }
    }

    /// Entry 2 attested C, entry 3 an exemption until a time.
    static func withOptionalFields() -> ExportText {
        var export = ExportText()
        export.append(id: 1)
        export.append(id: 2, optional: [ChainField("attestation", "C")])
        export.append(id: 3, type: "exemption", optional: [ChainField("until", "1900000000000000")])
        export.append(id: 4)
        return export
    }

    @Test("Entries with attestation and until verify; either taken away is found at its entry")
    func optionalFields() throws {
        let export = Self.withOptionalFields()
        #expect(export.text.contains("\"attestation\":\"C\"") && export.text.contains("\"until_us\":1900000000000000"))
        #expect(try Self.verify(export.text).get().verified)
        let noAttestation = export.text.replacingOccurrences(of: ",\"attestation\":\"C\"", with: "")
        #expect(try Self.verify(noAttestation).get().problem?.entry == 2)
        let noUntil = export.text.replacingOccurrences(of: ",\"until_us\":1900000000000000", with: ",\"until_us\":null")
        #expect(try Self.verify(noUntil).get().problem?.entry == 3)
    }

    @Test("An attestation or until of the wrong kind is refused as not a valid export", arguments: [
        ("\"attestation\":\"C\"", "\"attestation\":{}"), ("\"attestation\":\"C\"", "\"attestation\":[\"C\"]"),
        ("\"until_us\":1900000000000000", "\"until_us\":true"),
    ])
    func optionalFieldOfWrongKind(original: String, replacement: String) {
        let text = Self.withOptionalFields().text.replacingOccurrences(of: original, with: replacement)
        guard case .failure(let error) = Self.verify(text) else {
            Issue.record("read with \(replacement)")
            return
        }
        let key = replacement.contains("attestation") ? "attestation" : "until_us"
        #expect(error.message.contains("'\(key)' must be a string, a number or null"), "\(error)")
    }

    @Test("Thousands of random edits of an export are read or refused, never trapped on")
    func randomEdits() {
        var export = ExportText()
        for id in Int64(1)...4 { export.append(id: id) }
        let note = PurgeNote(reason: "x", purged: [6], runs: [.init(first: 6, last: 6, previousHash: export.entries[3].hash, lastHash: ChainDigest.genesis)])
        export.append(id: 7, type: "purge", note: note.text, previous: ChainDigest.genesis)
        let original = Array(export.text.utf8)
        let interesting = Array("0123456789-+.eE\"{}[],:\\n".utf8)
        var random = SystemRandomNumberGenerator()
        var outcomes = (read: 0, refused: 0)
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = interesting.randomElement(using: &random)!
                case 1: bytes.insert(interesting.randomElement(using: &random)!, at: index)
                default: bytes.remove(at: index)
                }
            }
            switch ExportVerification.verify(bytes: bytes) {
            case .success: outcomes.read += 1
            case .failure: outcomes.refused += 1
            }
        }
        #expect(outcomes.read + outcomes.refused == 3000)
    }
}

/// The Python program of docs/record.md on exports built here.
@Suite("The Python verifier of docs/record.md", .enabled(if: PythonProgram.python != nil, "python3 is not installed"))
struct PythonProgramTests {
    @Test("It verifies an export with a run merged over an earlier purge's gap, and refuses it with an entry removed")
    func mergedRuns() throws {
        let export = ExportText.merged()
        #expect(try PythonProgram.run(export.text).status == 0)
        var removed = export
        removed.entries.remove(at: 1)
        #expect(try PythonProgram.run(removed.text).status == 1)
    }

    @Test("It verifies entries with attestation and until, and refuses the export with either changed")
    func optionalFields() throws {
        let export = ExportReaderTests.withOptionalFields()
        #expect(try PythonProgram.run(export.text).status == 0)
        let changed = try PythonProgram.run(export.text.replacingOccurrences(of: "\"attestation\":\"C\"", with: "\"attestation\":\"A\""))
        #expect(changed.status == 1 && changed.output.contains("entry 2 does not verify"), "\(changed.output)")
        let moved = try PythonProgram.run(export.text.replacingOccurrences(of: "\"until_us\":1900000000000000", with: "\"until_us\":1900000000000001"))
        #expect(moved.status == 1 && moved.output.contains("entry 3 does not verify"), "\(moved.output)")
    }

    @Test("It verifies an empty suffix export and refuses a whole export cut short")
    func ends() throws {
        var export = ExportText()
        for id in Int64(1)...4 { export.append(id: id) }
        var short = export
        short.entries.removeLast()
        let text = short.text.replacingOccurrences(of: "\"id\":3}}", with: "\"id\":4}}").replacingOccurrences(of: short.entries.last!.hash + "\",\"id\":4", with: export.entries.last!.hash + "\",\"id\":4")
        let result = try PythonProgram.run(text)
        #expect(result.status == 1)
        #expect(result.output.contains("head names entry 4"), "\(result.output)")
        let suffix = "{\"format\":\"callwarden-export\",\"version\":1,\"chain\":\"suffix\",\"entries\":[],\"head\":{\"id\":7,\"hash\":\"\(ChainDigest.genesis)\"}}"
        #expect(try PythonProgram.run(suffix).status == 0)
    }
}

enum PythonProgram {
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func program() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/record.md"), encoding: .utf8)
        guard let start = doc.range(of: "```python\n"), let end = doc.range(of: "\n```", range: start.upperBound..<doc.endIndex) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return String(doc[start.upperBound..<end.lowerBound])
    }

    /// Runs the program on `export`, saved to a file.
    static func run(_ export: String) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-python-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let programFile = directory.appendingPathComponent("verify-export.py")
        let exportFile = directory.appendingPathComponent("export.json")
        try program().write(to: programFile, atomically: true, encoding: .utf8)
        try export.write(to: exportFile, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python!)
        process.arguments = [programFile.path, exportFile.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
