import CallwardenRecord
import CallwardenStore
import Foundation
import Testing

/// An export of a record, as the JSON document of docs/record.md, built from the store's export
/// pages; and the Python verifier of docs/record.md to check it with.
struct ExportFile {
    var entries: [[String: Any]]
    var head: [String: Any]?

    /// The whole record, read page by page (`limit` entries at most per page).
    static func read(_ store: RecordStore, limit: Int) async throws -> ExportFile {
        var entries: [[String: Any]] = []
        var head: ChainHeadMark?
        var after: Int64?
        repeat {
            let page = try await store.exportPage(caller: nil, since: nil, after: after, limit: limit)
            entries += page.entries.map(Self.entry)
            head = page.head
            after = page.next
        } while after != nil
        return ExportFile(entries: entries, head: head.map { ["id": $0.id, "hash": $0.hash] })
    }

    /// An entry as the export writes it: whole numbers as JSON numbers, absent values as null.
    static func entry(_ link: ChainLink) -> [String: Any] {
        var object: [String: Any] = [:]
        for field in link.fields {
            let key = ["recorded_at", "at", "until"].contains(field.name) ? field.name + "_us" : field.name
            if let value = field.value, ["id", "recorded_at", "at", "ref", "until"].contains(field.name), let number = Int64(value) {
                object[key] = number
            } else {
                object[key] = field.value ?? NSNull()
            }
        }
        object["prev_hash"] = link.previousHash ?? NSNull()
        object["hash"] = link.hash
        return object
    }

    var bytes: Data {
        get throws {
            let document: [String: Any] = [
                "format": "callwarden-export", "version": 1, "chain": "complete",
                "filter": ["caller": NSNull(), "since": NSNull()], "entries": entries, "head": head ?? NSNull(),
            ]
            return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        }
    }

    func write(to path: String) throws {
        try bytes.write(to: URL(fileURLWithPath: path))
    }
}

/// The Python program of docs/record.md, run on export files.
enum PythonVerifier {
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The program, saved once to a file.
    static let program: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let doc = try? String(contentsOf: root.appendingPathComponent("docs/record.md"), encoding: .utf8),
              let start = doc.range(of: "```python\n"), let end = doc.range(of: "\n```", range: start.upperBound..<doc.endIndex) else { return nil }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("verify-export-\(UUID().uuidString.prefix(8)).py").path
        guard (try? String(doc[start.upperBound..<end.lowerBound]).write(toFile: path, atomically: true, encoding: .utf8)) != nil else { return nil }
        return path
    }()

    /// Whether the program says the export at `path` verifies, and what it printed.
    static func verifies(_ path: String) throws -> (Bool, String) {
        guard let python, let program else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [program, path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus == 0, printed)
    }
}
