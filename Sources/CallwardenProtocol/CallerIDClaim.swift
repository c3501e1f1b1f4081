/// What the switch says of the caller id's authenticity: the STIR/SHAKEN attestation of the
/// call's PASSporT and the switch's verification result (the SIP `verstat` parameter of RFC 8224
/// deployments, 3GPP TS 24.229). Either may be absent: most calls still carry neither.
public struct CallerIDClaim: Sendable, Equatable {
    /// How much the originating carrier vouches for the number (ATIS-1000074).
    public enum Attestation: String, Sendable, CaseIterable {
        /// Full: the carrier knows the customer and their right to the number.
        case a = "A"
        /// Partial: the carrier knows the customer, not their right to the number.
        case b = "B"
        /// Gateway: the carrier only knows where the call entered its network.
        case c = "C"
    }

    /// The terminating switch's verification of the signature, as `verstat` words it.
    public enum Verification: String, Sendable, CaseIterable {
        case passed = "TN-Validation-Passed"
        case failed = "TN-Validation-Failed"
        case notVerified = "No-TN-Validation"
    }

    public var attestation: Attestation?
    public var verification: Verification?

    public init(attestation: Attestation? = nil, verification: Verification? = nil) {
        self.attestation = attestation
        self.verification = verification
    }

    /// Neither was given.
    public static let absent = CallerIDClaim()
}

/// Which restricting routes an exemption keeps a caller from.
public enum RestrictedRoute: String, Sendable, CaseIterable {
    case supervisor
    case nuisance
}

/// What an admin does with a restriction whose review is due.
public enum ReviewAction: String, Sendable, CaseIterable {
    /// Keep it for another review period, from now.
    case renew
    /// End it now: the caller is routed as if restricting rules had lapsed, until new abuse.
    case end
}
