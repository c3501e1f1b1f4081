import CallwardenProtocol
import CallwardenRecord
import Foundation

/// The export file (`--format json`), documented in docs/record.md: a header naming what was
/// exported, every entry with its hashes (one per line, so that it reads and diffs well while
/// staying one JSON document), then the chain head.
enum ExportDocument {
    static let format = "callwarden-export"
    static let version = 1

    /// How much of the chain an export holds, which decides how it verifies.
    enum Chain: String {
        /// The whole record: verifies from the genesis hash to the head.
        case complete
        /// Everything from one entry on (`--since`): verifies from its first entry's `prev_hash`.
        case suffix
        /// One caller's entries (`--caller`): each entry verifies against its own `prev_hash`.
        case selection
    }

    /// Entry keys in the order a reader expects; any others follow, sorted.
    static let entryKeys = [
        "id", "recorded_at_us", "recorded_at", "type", "at_us", "at", "caller", "call", "kind", "agent", "supervisor", "note", "ref",
        "rule", "by", "outcome", "prev_hash", "hash",
    ]

    /// Everything before the entries. The head comes after them (`footer`): it is the head as of
    /// the last page, which new entries may have moved while the export ran.
    static func header(chain: Chain, caller: String?, since: Double?, exportedAt: Double) -> String {
        var writer = JSONWriter()
        writer.field("format", format)
        writer.field("version", version)
        writer.field("exported_at", EventTime.format(exportedAt))
        writer.field("chain", chain.rawValue)
        writer.object("filter") { filter in
            filter.field("caller", caller)
            filter.field("since", since.map(EventTime.format))
        }
        var text = writer.text
        text.append(",\n\"entries\":[\n")
        return text
    }

    static func entry(_ value: JSONValue, first: Bool) -> String {
        guard let object = value.object else { return "" }
        var text = first ? "{" : ",\n{"
        let keys = entryKeys.filter { object[$0] != nil } + object.keys.filter { !entryKeys.contains($0) }.sorted()
        for (index, key) in keys.enumerated() {
            if index > 0 { text.append(",") }
            JSONWriter.appendQuoted(key, to: &text)
            text.append(":")
            JSONWriter.append(object[key]!, to: &text)
        }
        text.append("}")
        return text
    }

    static func footer(head: JSONValue?) -> String {
        var text = "\n],\"head\":"
        JSONWriter.append(head ?? .null, to: &text)
        return text + "}\n"
    }

    /// An entry of an export as the chain verifier reads it; throws if a field is missing.
    static func link(_ value: JSONValue) throws(ControlFailure) -> ChainLink {
        guard let object = value.object, let id = object["id"]?.int64 else {
            throw ControlFailure(ExitStatus.dataError, "an entry has no id")
        }
        var fields: [ChainField] = []
        for name in ChainDigest.fieldNames {
            let key = name == "recorded_at" || name == "at" ? name + "_us" : name
            guard let field = object[key] else { throw ControlFailure(ExitStatus.dataError, "entry \(id) has no field '\(key)'") }
            switch field {
            case .null: fields.append(ChainField(name, nil))
            case .string(let text), .number(let text): fields.append(ChainField(name, text))
            default: throw ControlFailure(ExitStatus.dataError, "entry \(id): '\(key)' must be a string, a number or null")
            }
        }
        guard let hash = object["hash"]?.string else { throw ControlFailure(ExitStatus.dataError, "entry \(id) has no hash") }
        return ChainLink(id: id, fields: fields, hash: hash, previousHash: object["prev_hash"]?.string)
    }
}
