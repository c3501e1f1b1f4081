/// What one entry of the record is about. The record is append-only: nothing is ever updated or
/// deleted in place; forgiveness and purges are entries of their own.
public enum EntryType: String, Sendable, CaseIterable {
    /// Abuse of staff, recorded by an agent, an operator, or the daemon's own detection.
    case incident
    /// An administrator forgave an incident (`ref`), with the reason in `note`.
    case forgiveness
    /// The first ladder step of a call: ties the call to its caller and start time.
    case callStart = "call_start"
    /// The agent warned the caller that the call will end if the abuse goes on.
    case warning
    /// The agent asked to end the call; `outcome` is callwarden's answer.
    case hangupRequest = "hangup_request"
    /// A supervisor's verdict (`outcome`: approve or deny).
    case verdict
    /// The call ended; `by` who, `outcome` how.
    case callEnd = "call_end"
    /// Old entries were purged under the policy's retention; `note` says which.
    case purge
    /// An administrator exempted a caller or a number pattern (`caller`) from routes (`outcome`,
    /// sorted and joined by ","), with the reason in `note`, who in `by`, and an optional expiry
    /// in `until`.
    case exemption
    /// An administrator removed the exemption recorded as entry `ref`; `note` the reason, `by` who.
    case exemptionEnd = "exemption_end"
    /// A person renewed or ended a caller's restriction at its review (`outcome`: renew or end),
    /// with the reason in `note` and who in `by`.
    case review
}

/// An entry about to be recorded.
public struct NewEntry: Sendable, Equatable {
    public var type: EntryType
    /// When it happened (seconds since 1970), as the event said or when it arrived.
    public var at: Double
    /// The normalised caller; nil for the anonymous class or when not known.
    public var caller: String?
    public var call: String?
    public var kind: String?
    public var agent: String?
    public var supervisor: String?
    public var note: String?
    /// The entry this one refers to (the incident forgiven, ...).
    public var ref: Int64?
    /// The policy rule involved (a detection rule, the rule that answered a hang-up request).
    public var rule: String?
    /// Who: who ended a call, who forgave.
    public var by: String?
    /// The result: a hang-up answer, a verdict, a call's outcome, an exemption's routes, a
    /// review's renew or end.
    public var outcome: String?
    /// How far the caller's number was trusted (a `CallerIDTrust` raw value: A, B, C, failed,
    /// none), on incidents and call starts; nil when the switch said nothing of it.
    public var attestation: String?
    /// An end time (seconds since 1970): an exemption's expiry, a forgiveness's grace end.
    public var until: Double?

    public init(
        type: EntryType, at: Double, caller: String? = nil, call: String? = nil, kind: String? = nil,
        agent: String? = nil, supervisor: String? = nil, note: String? = nil, ref: Int64? = nil,
        rule: String? = nil, by: String? = nil, outcome: String? = nil, attestation: String? = nil, until: Double? = nil
    ) {
        self.type = type
        self.at = at
        self.caller = caller
        self.call = call
        self.kind = kind
        self.agent = agent
        self.supervisor = supervisor
        self.note = note
        self.ref = ref
        self.rule = rule
        self.by = by
        self.outcome = outcome
        self.attestation = attestation
        self.until = until
    }
}

/// An entry as recorded: its place in the record and its link in the hash chain.
public struct StoredEntry: Sendable, Equatable {
    /// The entry's id: its place in the record, never reused.
    public var id: Int64
    /// When callwarden recorded it (seconds since 1970).
    public var recordedAt: Double
    public var entry: NewEntry
    /// SHA-256 (hex) over the previous entry's hash and this entry's fields.
    public var hash: String

    public init(id: Int64, recordedAt: Double, entry: NewEntry, hash: String) {
        self.id = id
        self.recordedAt = recordedAt
        self.entry = entry
        self.hash = hash
    }
}
