/// How far the caller id of a call can be trusted: the STIR/SHAKEN attestation the originating
/// carrier signed, or what the terminating switch found when it verified the signature.
///
/// A spoofed number is the real subscriber's number in someone else's hands: an incident on a
/// poorly attested call may belong to someone else, and the policy can weigh it less
/// (`caller_id.weights`) or route on it (`when.attestation`).
public enum CallerIDTrust: String, Sendable, CaseIterable {
    /// Full attestation: the carrier knows the customer and that they may use the number.
    case a = "A"
    /// Partial: the carrier knows the customer, not that they may use this number.
    case b = "B"
    /// Gateway: the carrier only saw where the call entered its network.
    case c = "C"
    /// The switch checked the signature and it failed.
    case failed
    /// Nothing to go on: no attestation, or the switch did not verify it.
    case none

    /// The trust of a call from what the switch reported.
    ///
    /// - `verification` is the SIP `verstat` value: `TN-Validation-Failed` is `.failed`,
    ///   `No-TN-Validation` is `.none`, `TN-Validation-Passed` is the attestation's level (`.c`
    ///   when the switch passed a call without saying at which level).
    /// - Without a verification, the attestation's level as given (the switch vouches for it), or
    ///   `.none` when neither was given.
    ///
    /// The protocol decoder has checked both values already; anything else counts as `.none`, the
    /// level that claims nothing.
    public static func from(attestation: String?, verification: String?) -> CallerIDTrust {
        let level = attestation.flatMap(Self.level)
        switch verification {
        case nil: return level ?? .none
        case "TN-Validation-Passed": return level ?? .c
        case "TN-Validation-Failed": return .failed
        default: return .none
        }
    }

    private static func level(_ text: String) -> CallerIDTrust? {
        switch text {
        case "A": return .a
        case "B": return .b
        case "C": return .c
        default: return nil
        }
    }
}
