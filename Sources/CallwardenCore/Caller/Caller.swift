/// Who is calling, once the number as presented has been normalised by the policy's numbering plan.
///
/// Withheld, anonymous, restricted and unknown callers form the *anonymous class*: many people share
/// it, so it is never tracked as one person and never gathers a history.
public enum Caller: Hashable, Sendable {
    /// A number or address that identifies one caller; the key under which their history is kept:
    /// E.164 (`+447700900123`) for numbers, `sip:user@host` for SIP addresses that are not numbers.
    case known(String)
    /// Withheld or unidentifiable: never tracked.
    case anonymous

    /// The key under which a known caller's history is stored, or nil for the anonymous class.
    public var key: String? {
        if case .known(let key) = self { return key }
        return nil
    }

    /// How the caller is shown in responses, logs and the journal.
    public var display: String { key ?? "anonymous" }
}
