import CallwardenRecord

extension NewEntry {
    /// The first reason this entry cannot be recorded exactly as it is, or nil.
    ///
    /// The record must never hold anything but what it was given, and every value it holds must
    /// read back and verify. SQLite's text binding ends a string at its first NUL, so a text with
    /// a NUL would be stored cut short and then fail verification for ever; it is refused instead.
    /// The write path calls this before queueing an entry, so that one bad value is refused on its
    /// own rather than failing every entry committed with it.
    public var problem: EntryProblem? {
        guard at.isFinite, RecordLimits.seconds.contains(at) else { return .time("at", at) }
        if let until, !(until.isFinite && RecordLimits.seconds.contains(until)) { return .time("until", until) }
        if let attestation, !RecordLimits.attestations.contains(attestation) {
            return EntryProblem(field: "attestation", "attestation must be one of \(RecordLimits.attestationList); got '\(attestation.prefix(40))'")
        }
        if let ref, !RecordLimits.ids.contains(ref) {
            return EntryProblem(field: "ref", "ref must be an entry id from \(RecordLimits.ids.lowerBound) to \(RecordLimits.ids.upperBound); got \(ref)")
        }
        if type == .incident, kind == nil {
            return EntryProblem(field: "kind", "an incident needs a kind")
        }
        for (name, value) in texts {
            if let value, value.utf8.contains(0) {
                return EntryProblem(field: name, "\(name) contains a NUL character (U+0000), which the record cannot hold")
            }
        }
        return nil
    }

    /// Throws `problem`, if any.
    public func validate() throws(EntryProblem) {
        if let problem { throw problem }
    }

    /// Every text field, by its name in the record.
    var texts: KeyValuePairs<String, String?> {
        [
            "caller": caller, "call": call, "kind": kind, "agent": agent, "supervisor": supervisor, "note": note, "rule": rule,
            "by": by, "outcome": outcome, "attestation": attestation,
        ]
    }
}
