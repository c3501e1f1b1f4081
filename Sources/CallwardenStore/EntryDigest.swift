import CallwardenRecord

/// The hash chain over the record: each entry's hash covers the previous entry's hash and every
/// field of its own, so a changed, removed or reordered row breaks the chain from that row on.
///
/// The canonical form is `ChainDigest`'s (CallwardenRecord), documented in docs/record.md so that
/// a third party can re-verify an export: SHA-256 over the previous hash, then each field in a
/// fixed order as `name:LENGTH:value`, absent values as `name:-1:`, then `attestation` and
/// `until` only when the entry has them.
public enum EntryDigest {
    /// The chain's starting value, before the first entry.
    public static let genesis = ChainDigest.genesis

    /// Throws for a time the record cannot hold (`StoredEntry.micros`).
    public static func hash(previous: String, id: Int64, recordedAt: Double, entry: NewEntry) throws(EntryProblem) -> String {
        ChainDigest.hash(previous: previous, fields: try fields(id: id, recordedAt: recordedAt, entry: entry))
    }

    /// The fields in chain order, as text.
    public static func fields(id: Int64, recordedAt: Double, entry: NewEntry) throws(EntryProblem) -> [ChainField] {
        var fields = [
            ChainField("id", String(id)),
            ChainField("recorded_at", try canonicalTime(recordedAt, field: "recorded_at")),
            ChainField("type", entry.type.rawValue),
            ChainField("at", try canonicalTime(entry.at)),
            ChainField("caller", entry.caller),
            ChainField("call", entry.call),
            ChainField("kind", entry.kind),
            ChainField("agent", entry.agent),
            ChainField("supervisor", entry.supervisor),
            ChainField("note", entry.note),
            ChainField("ref", entry.ref.map(String.init)),
            ChainField("rule", entry.rule),
            ChainField("by", entry.by),
            ChainField("outcome", entry.outcome),
        ]
        // `ChainDigest.optionalFieldNames`: only when present, so older entries keep their hashes.
        if let attestation = entry.attestation { fields.append(ChainField("attestation", attestation)) }
        if let until = entry.until { fields.append(ChainField("until", try canonicalTime(until, field: "until"))) }
        return fields
    }

    /// Times in the chain are whole microseconds since 1970: the same text on every platform.
    /// Throws for a time outside `RecordLimits.seconds`.
    public static func canonicalTime(_ seconds: Double, field: String = "at") throws(EntryProblem) -> String {
        String(try StoredEntry.micros(seconds, field: field))
    }
}
