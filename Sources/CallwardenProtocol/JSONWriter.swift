/// Writes one JSON object as a line of text, field by field, with no intermediate object graph.
public struct JSONWriter: Sendable {
    public private(set) var text: String
    private var needsComma = false

    public init() {
        text = "{"
        text.reserveCapacity(256)
    }

    /// The finished object followed by `\n`.
    public mutating func line() -> String {
        text.append("}\n")
        return text
    }

    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { Self.appendQuoted(value, to: &text) } else { text.append("null") }
    }

    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        text.append(String(value))
    }

    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        text.append(String(value))
    }

    /// Numbers with at most four decimals: a score, a weight, seconds.
    public mutating func field(_ name: String, _ value: Double) {
        key(name)
        text.append(Self.number(value))
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        text.append(value ? "true" : "false")
    }

    /// A value already encoded as JSON text (an echoed `id`).
    public mutating func field(_ name: String, raw: String) {
        key(name)
        text.append(raw)
    }

    public mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
        Self.append(value, to: &text)
    }

    public mutating func object(_ name: String, _ body: (inout JSONWriter) -> Void) {
        key(name)
        var inner = JSONWriter()
        body(&inner)
        text.append(inner.text)
        text.append("}")
    }

    public mutating func array<Element>(_ name: String, _ elements: some Sequence<Element>, _ body: (inout JSONWriter, Element) -> Void) {
        key(name)
        text.append("[")
        var first = true
        for element in elements {
            if !first { text.append(",") }
            first = false
            var inner = JSONWriter()
            body(&inner, element)
            text.append(inner.text)
            text.append("}")
        }
        text.append("]")
    }

    public mutating func strings(_ name: String, _ values: some Sequence<String>) {
        key(name)
        text.append("[")
        var first = true
        for value in values {
            if !first { text.append(",") }
            first = false
            Self.appendQuoted(value, to: &text)
        }
        text.append("]")
    }

    private mutating func key(_ name: String) {
        if needsComma { text.append(",") }
        needsComma = true
        Self.appendQuoted(name, to: &text)
        text.append(":")
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let rounded = (value * 10_000).rounded() / 10_000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(rounded)
    }

    static func append(_ value: JSONValue, to text: inout String) {
        switch value {
        case .null: text.append("null")
        case .bool(let flag): text.append(flag ? "true" : "false")
        case .number(let raw): text.append(raw)
        case .string(let string): appendQuoted(string, to: &text)
        case .array(let elements):
            text.append("[")
            for (offset, element) in elements.enumerated() {
                if offset > 0 { text.append(",") }
                append(element, to: &text)
            }
            text.append("]")
        case .object(let members):
            text.append("{")
            for (offset, key) in members.keys.sorted().enumerated() {
                if offset > 0 { text.append(",") }
                appendQuoted(key, to: &text)
                text.append(":")
                append(members[key]!, to: &text)
            }
            text.append("}")
        }
    }

    static func appendQuoted(_ value: String, to text: inout String) {
        text.append("\"")
        var plain = true
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        if plain {
            text.append(value)
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text.append("\\\"")
                case "\\": text.append("\\\\")
                case "\n": text.append("\\n")
                case "\r": text.append("\\r")
                case "\t": text.append("\\t")
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                default: text.unicodeScalars.append(scalar)
                }
            }
        }
        text.append("\"")
    }
}
