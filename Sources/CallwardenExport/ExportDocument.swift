import CallwardenProtocol
import CallwardenRecord

/// The export file (`--format json`), documented in docs/record.md: a header naming what was
/// exported, every entry with its hashes (one per line, so that it reads and diffs well while
/// staying one JSON document), then the chain head.
public enum ExportDocument {
    public static let format = "callwarden-export"
    public static let version = 1

    /// How much of the chain an export holds, which decides how it verifies.
    public enum Chain: String, Sendable {
        /// The whole record: verifies from the genesis hash to the head.
        case complete
        /// Everything from one entry on (`--since`): verifies from its first entry's `prev_hash`.
        case suffix
        /// One caller's entries (`--caller`): each entry verifies against its own `prev_hash`.
        case selection
        /// A cluster's whole shared record (`--shared`): verifies from the genesis hash to the
        /// head like `complete`; it is never purged, so purge entries (a node's own purges,
        /// shipped like any entry) explain no gap in it.
        case shared
    }

    /// Entry keys in the order a reader expects; any others follow, sorted.
    public static let entryKeys = [
        "id", "recorded_at_us", "recorded_at", "type", "at_us", "at", "caller", "call", "kind", "agent", "supervisor", "note", "ref",
        "rule", "by", "outcome", "attestation", "until_us", "until", "node", "origin", "prev_hash", "hash",
    ]

    /// The key an export writes a chain field under: times as whole microseconds, `NAME_us`.
    public static func key(_ field: String) -> String {
        field == "recorded_at" || field == "at" || field == "until" ? field + "_us" : field
    }

    /// Everything before the entries. The head comes after them (`footer`): it is the head as of
    /// the last page, which new entries may have moved while the export ran.
    public static func header(chain: Chain, caller: String?, since: Double?, exportedAt: Double) -> String {
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

    /// One entry of an `export` answer as a line of the file.
    public static func entry(_ value: JSONValue, first: Bool) -> String {
        guard let object = value.object else { return "" }
        var text = first ? "{" : ",\n{"
        let keys = entryKeys.filter { object[$0] != nil } + object.keys.filter { !entryKeys.contains($0) }.sorted()
        var firstKey = true
        for key in keys {
            guard let value = object[key] else { continue }
            if !firstKey { text.append(",") }
            firstKey = false
            JSONWriter.appendQuoted(key, to: &text)
            text.append(":")
            JSONWriter.append(value, to: &text)
        }
        text.append("}")
        return text
    }

    public static func footer(head: JSONValue?) -> String {
        var text = "\n],\"head\":"
        JSONWriter.append(head ?? .null, to: &text)
        return text + "}\n"
    }

    /// An entry of an export as the chain verifier reads it. Throws if a field is missing or of
    /// the wrong kind, or the id is not one callwarden hands out (`RecordLimits.ids`): the
    /// verifier's arithmetic on ids is safe for any value, but such an id is no entry's.
    public static func link(_ value: JSONValue) throws(ExportError) -> ChainLink {
        guard let object = value.object else { throw ExportError("an entry is not a JSON object") }
        guard let idValue = object["id"] else { throw ExportError("an entry has no id") }
        guard let id = idValue.int64, RecordLimits.ids.contains(id) else {
            throw ExportError("an entry's id (\(Self.shown(idValue))) is not a whole number from \(RecordLimits.ids.lowerBound) to \(RecordLimits.ids.upperBound)")
        }
        var fields: [ChainField] = []
        for name in ChainDigest.fieldNames {
            let key = Self.key(name)
            guard let field = object[key] else { throw ExportError("entry \(id) has no field '\(key)'") }
            fields.append(ChainField(name, try Self.text(field, key, entry: id)))
        }
        // Hashed only when present (absent or null: the entry has none), as the chain says.
        for name in ChainDigest.optionalFieldNames + ChainDigest.sharedFieldNames {
            let key = Self.key(name)
            if let field = object[key], let text = try Self.text(field, key, entry: id) { fields.append(ChainField(name, text)) }
        }
        guard let hash = object["hash"]?.string else { throw ExportError("entry \(id) has no hash") }
        let previous: String?
        switch object["prev_hash"] {
        case nil, .null?: previous = nil
        case .string(let text)?: previous = text
        default: throw ExportError("entry \(id): 'prev_hash' must be a string or null")
        }
        return ChainLink(id: id, fields: fields, hash: hash, previousHash: previous)
    }

    /// A chain field's value as the hash reads it. Numbers are hashed as written: the record's
    /// text of them, whatever their size.
    private static func text(_ field: JSONValue, _ key: String, entry id: Int64) throws(ExportError) -> String? {
        switch field {
        case .null: return nil
        case .string(let text), .number(let text): return text
        default: throw ExportError("entry \(id): '\(key)' must be a string, a number or null")
        }
    }

    /// The head an export states, or nil when it states none (`"head": null`, an empty record).
    public static func head(_ value: JSONValue?) throws(ExportError) -> ChainHeadMark? {
        guard let value, value != .null else { return nil }
        guard let idValue = value["id"], let id = idValue.int64, id == 0 || RecordLimits.ids.contains(id) else {
            throw ExportError("the head's id (\(Self.shown(value["id"]))) is not a whole number from 0 to \(RecordLimits.ids.upperBound)")
        }
        guard let hash = value["hash"]?.string else { throw ExportError("the head has no hash") }
        return ChainHeadMark(id: id, hash: hash)
    }

    /// A JSON value in a message: short.
    static func shown(_ value: JSONValue?) -> String {
        let text: String
        switch value {
        case .number(let number)?: text = number
        case .string(let string)?: text = "\"" + string + "\""
        case let other?: text = other.typeName
        case nil: text = "none"
        }
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
