/// Writes one JSON object as a line of text, field by field, with no intermediate object graph.
///
/// Every answer the daemon sends is built here, so the text is gathered as UTF-8 bytes and made a
/// `String` once, in `line()`: appending to a `String` piece by piece re-checks its capacity,
/// encoding and ASCII flags on every append, which cost more than the routing decision itself.
/// Nested objects and arrays are written into the same buffer, not into writers of their own.
public struct JSONWriter: Sendable {
    private var bytes: [UInt8]
    private var needsComma = false

    /// The object so far: `{` and the fields written, without the closing brace.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public init() {
        bytes = []
        bytes.reserveCapacity(256)
        bytes.append(UInt8(ascii: "{"))
    }

    /// The finished object followed by `\n`.
    public mutating func line() -> String {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return String(decoding: bytes, as: UTF8.self)
    }

    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { Self.appendQuoted(value, to: &bytes) } else { Self.append("null", to: &bytes) }
    }

    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        Self.appendDecimal(Int64(value), to: &bytes)
    }

    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        Self.appendDecimal(value, to: &bytes)
    }

    /// Numbers with at most four decimals: a score, a weight, seconds.
    public mutating func field(_ name: String, _ value: Double) {
        key(name)
        Self.append(Self.number(value), to: &bytes)
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        Self.append(value ? "true" : "false", to: &bytes)
    }

    /// A value already encoded as JSON text (an echoed `id`): a number or a quoted string. Text
    /// that is neither is written as a string, so that the line stays JSON whatever is passed.
    public mutating func field(_ name: String, raw: String) {
        key(name)
        if Self.isNumber(raw) || (raw.utf8.first == UInt8(ascii: "\"") && (try? JSONParser.parse(raw))?.string != nil) {
            Self.append(raw, to: &bytes)
        } else {
            Self.appendQuoted(raw, to: &bytes)
        }
    }

    public mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
        Self.append(value, to: &bytes)
    }

    public mutating func object(_ name: String, _ body: (inout JSONWriter) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func array<Element>(_ name: String, _ elements: some Sequence<Element>, _ body: (inout JSONWriter, Element) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.append(UInt8(ascii: "{"))
            needsComma = false
            body(&self, element)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    public mutating func strings(_ name: String, _ values: some Sequence<String>) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            Self.appendQuoted(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        Self.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    // MARK: Bytes

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so that Int64.min has one too.
        var rest = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                count += 1
                buffer[24 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: buffer[(24 - count)...])
        }
    }

    /// Same text as `appendQuoted(_:to: inout String)`, as UTF-8 bytes.
    private static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var plainFrom = 0
            for (offset, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom..<offset]))
                plainFrom = offset + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x22: bytes.append(UInt8(ascii: "\""))
                case 0x5C: bytes.append(UInt8(ascii: "\\"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Same text as `append(_:to: inout String)`, as UTF-8 bytes.
    private static func append(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null: append("null", to: &bytes)
        case .bool(let flag): append(flag ? "true" : "false", to: &bytes)
        case .number(let raw): append(isNumber(raw) ? raw : "null", to: &bytes)
        case .string(let string): appendQuoted(string, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                append(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (offset, key) in members.keys.sorted().enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                appendQuoted(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                append(members[key]!, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    // MARK: Text

    /// A score, weight or time in seconds as JSON: to four decimals, whole numbers without a
    /// point. JSON has no infinity or NaN: those are written `null`, never `inf`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        // Scaling by 10,000 would overflow to infinity near the top of Double's range, and beyond
        // 1e15 there are no decimals left to round: such values are written as they are.
        guard abs(value) < 1e15 else { return String(value) }
        let rounded = (value * 10_000).rounded() / 10_000
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        return String(rounded)
    }

    /// Whether `text` is a JSON number (RFC 8259: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    public static func isNumber(_ text: String) -> Bool {
        var utf8 = text.utf8[...]
        func digits() -> Int {
            let count = utf8.prefix { (0x30...0x39).contains($0) }.count
            utf8 = utf8.dropFirst(count)
            return count
        }
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        if utf8.first == UInt8(ascii: "0") {
            utf8 = utf8.dropFirst()
        } else if digits() == 0 {
            return false
        }
        if utf8.first == UInt8(ascii: ".") {
            utf8 = utf8.dropFirst()
            guard digits() > 0 else { return false }
        }
        if utf8.first == UInt8(ascii: "e") || utf8.first == UInt8(ascii: "E") {
            utf8 = utf8.dropFirst()
            if utf8.first == UInt8(ascii: "+") || utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return utf8.isEmpty
    }

    /// Appends `value` as JSON text (object keys sorted).
    public static func append(_ value: JSONValue, to text: inout String) {
        switch value {
        case .null: text.append("null")
        case .bool(let flag): text.append(flag ? "true" : "false")
        case .number(let raw): text.append(isNumber(raw) ? raw : "null")
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

    /// Appends `value` as a JSON string, quoted and escaped.
    public static func appendQuoted(_ value: String, to text: inout String) {
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
