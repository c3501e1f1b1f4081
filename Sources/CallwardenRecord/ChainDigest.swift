import Crypto

/// The canonical hash of one entry of the record, as docs/record.md specifies it for anyone who
/// re-verifies an export: SHA-256 over the previous entry's hash (64 lowercase hex digits, as
/// text) followed by each field in `fieldNames` order, written as `name:LENGTH:VALUE` with the
/// value's UTF-8 byte length, or `name:-1:` when the field has no value. The result is lowercase hex.
///
/// The length prefix makes the input unambiguous: no choice of values can make two different
/// entries hash the same text.
public enum ChainDigest {
    /// The value the first entry chains from.
    public static let genesis = String(repeating: "0", count: 64)

    /// The fields every entry has, in chain order. Times are whole microseconds since 1970.
    public static let fieldNames = [
        "id", "recorded_at", "type", "at", "caller", "call", "kind", "agent", "supervisor", "note", "ref", "rule", "by", "outcome",
    ]

    /// Fields added later, in chain order after `fieldNames`, each hashed only when the entry has
    /// a value for it: an entry without them hashes exactly as before they existed, so every
    /// entry recorded earlier keeps its hash. `until` is a time, like `at`.
    public static let optionalFieldNames = ["attestation", "until"]

    /// Fields of a cluster's shared record (docs/cluster.md), in chain order after the optional
    /// ones: the node that recorded the entry and its id in that node's own record. Every shared
    /// entry has them and no entry of a node's own record does, so, hashed when present, they
    /// leave every local entry's hash as it was.
    public static let sharedFieldNames = ["node", "origin"]

    public static func hash(previous: String, fields: [ChainField]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(previous.utf8))
        for field in fields {
            if let value = field.value {
                hasher.update(data: Array("\(field.name):\(value.utf8.count):".utf8))
                hasher.update(data: Array(value.utf8))
            } else {
                hasher.update(data: Array("\(field.name):-1:".utf8))
            }
        }
        return hex(hasher.finalize())
    }

    /// Lowercase hex of any digest or byte sequence.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            let digits = String(byte, radix: 16)
            if byte < 16 { text.append("0") }
            text.append(digits)
        }
        return text
    }

    /// Whether `text` has the shape of a chain hash.
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
