import CallwardenProtocol
import Foundation

/// The export as CSV (RFC 4180), for spreadsheets: one row per entry, times as RFC 3339 text.
/// CSV cannot tell an empty value from an absent one, which the hashes do, so verification reads
/// the JSON export; docs/record.md says so.
enum CSVExport {
    static let columns = [
        "id", "recorded_at", "type", "at", "caller", "call", "kind", "agent", "supervisor", "note", "ref", "rule", "by", "outcome",
        "attestation", "until", "prev_hash", "hash",
    ]

    static var header: String { columns.joined(separator: ",") + "\r\n" }

    static func row(_ entry: JSONValue) -> String {
        columns.map { column in
            switch entry[column] {
            case .string(let text)?: quoted(text)
            case .number(let text)?: text
            default: ""
            }
        }.joined(separator: ",") + "\r\n"
    }

    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
