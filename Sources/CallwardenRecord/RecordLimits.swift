/// The values an entry of the record can hold. Anything outside them did not come from
/// callwarden: a record or an export holding one is refused as damaged, and a new entry holding
/// one is refused before it is queued.
public enum RecordLimits {
    /// Entry ids: from 1 up to 2^53 - 1, the largest whole number every JSON reader holds exactly
    /// (many read numbers as doubles), so that an id in an export means the same to anyone. It
    /// also leaves room to count on from any id without overflow.
    public static let ids: ClosedRange<Int64> = 1...9_007_199_254_740_991

    /// Times, in seconds since 1970: from 1970 to the last second of the year 9999, the range of
    /// RFC 3339's four-digit years, in which every time the record shows can be written.
    public static let seconds: ClosedRange<Double> = 0...253_402_300_799

    /// The same window in whole microseconds, as the record stores times.
    public static let micros: ClosedRange<Int64> = 0...253_402_300_799_000_000

    /// An entry's `attestation`: how far the caller's number was trusted, as CallwardenCore's
    /// `CallerIDTrust` names the levels (STIR/SHAKEN's A, B, C; `failed` verification; `none`).
    public static let attestations: Set<String> = ["A", "B", "C", "failed", "none"]

    /// The same, for messages, in a fixed order.
    public static let attestationList = "A, B, C, failed, none"

    /// The window for people: `1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z`.
    public static let secondsDescription = "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (0 to 253402300799 seconds since 1970)"
}
