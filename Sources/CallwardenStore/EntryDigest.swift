import Crypto

/// The hash chain over the record: each entry's hash covers the previous entry's hash and every
/// field of its own, so a changed, removed or reordered row breaks the chain from that row on.
///
/// The canonical form is documented in docs/record.md so that a third party can re-verify an
/// export: fields in a fixed order, each as `name=value` with its UTF-8 length in front, absent
/// values as `name=` with length -1.
public enum EntryDigest {
    /// The chain's starting value, before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public static func hash(previous: String, id: Int64, recordedAt: Double, entry: NewEntry) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(previous.utf8))
        for (name, value) in fields(id: id, recordedAt: recordedAt, entry: entry) {
            let header = value.map { "\(name):\($0.utf8.count):" } ?? "\(name):-1:"
            hasher.update(data: Array(header.utf8))
            if let value { hasher.update(data: Array(value.utf8)) }
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The fields in chain order, as text.
    public static func fields(id: Int64, recordedAt: Double, entry: NewEntry) -> [(String, String?)] {
        [
            ("id", String(id)),
            ("recorded_at", canonicalTime(recordedAt)),
            ("type", entry.type.rawValue),
            ("at", canonicalTime(entry.at)),
            ("caller", entry.caller),
            ("call", entry.call),
            ("kind", entry.kind),
            ("agent", entry.agent),
            ("supervisor", entry.supervisor),
            ("note", entry.note),
            ("ref", entry.ref.map(String.init)),
            ("rule", entry.rule),
            ("by", entry.by),
            ("outcome", entry.outcome),
        ]
    }

    /// Times in the chain are whole microseconds since 1970: the same text on every platform.
    public static func canonicalTime(_ seconds: Double) -> String {
        String(Int64((seconds * 1_000_000).rounded()))
    }
}
