/// A request of protocol v1, decoded and checked field by field.
public enum Request: Sendable, Equatable {
    case callOffered(call: String, caller: String, dialed: String?, claim: CallerIDClaim, at: Double?)
    case abuse(call: String?, caller: String?, kind: String, agent: String?, note: String?, claim: CallerIDClaim, at: Double?)
    case warning(call: String, agent: String?, at: Double?)
    /// A supervisor's verdict; `reason` is kept in the record with it.
    case supervisor(call: String, verdict: Verdict, supervisor: String?, reason: String? = nil, at: Double?)
    case hangupRequest(call: String, agent: String?, at: Double?)
    case callEnded(call: String, by: EndedBy?, outcome: CallOutcome?, at: Double?)
    case status
    /// One page of a caller's incidents (ids above `after`, at most `limit`), as of `at`.
    case history(caller: String, at: Double?, after: Int64?, limit: Int?)
    /// What a call would get at `at` (default: now), with the caller-id claim it would carry.
    case explain(caller: String, dialed: String?, claim: CallerIDClaim, at: Double?)
    /// `at`: the forgiveness's time in the record (default: now). `grace`: seconds after it during
    /// which light incidents do not restore a restriction (default: the policy's).
    case forgive(caller: String, reason: String, incident: Int64?, grace: Double?, at: Double?)
    case reload
    /// Walk the record's hash chain.
    case verify
    /// One page of the record with its hashes; `after` is the previous page's `next`.
    case export(caller: String?, since: Double?, after: Int64?, limit: Int?)
    /// One page of a cluster's shared record with its hashes (`export` with `record: shared`):
    /// always the whole shared chain, so no caller or since.
    case exportShared(after: Int64?, limit: Int?)
    /// Turn the connection into a feed of decisions and incidents as they happen.
    case tail
    /// Apply the policy's retention now.
    case purge
    /// Keep a caller, or every caller matching a prefix pattern (`+44800*`), from restricting
    /// routes (default: nuisance), until `until` (default: for ever).
    case exemptAdd(target: String, reason: String, until: Double?, routes: [RestrictedRoute]?)
    /// End exemption `exemption` (its entry id).
    case exemptRemove(exemption: Int64, reason: String)
    case exemptList
    /// Restrictions whose review falls within `within` seconds from now, and those already past it.
    case reviewList(within: Double?)
    /// Renew or end a caller's restriction.
    case review(caller: String, action: ReviewAction, reason: String)
    /// Replay the record through a candidate policy (its text) beside the live one; `path` names
    /// the candidate in its error messages; calls dated before `since` are not decision points.
    case policyTest(policy: String, path: String?, since: Double?)
    /// Every tracked agent's counters as of `at` (default: now).
    case agents(at: Double?)
    /// Turn the connection into a feed of supervisor requests: those pending, then each one asked
    /// for, answered or timed out.
    case supervise
    /// What the record says of the period from `since` (default: the whole record), for managers.
    case report(since: Double?)

    public enum Verdict: String, Sendable, CaseIterable { case approve, deny }
    public enum EndedBy: String, Sendable, CaseIterable { case caller, agent, system }
    public enum CallOutcome: String, Sendable, CaseIterable { case resolved, unresolved, abusive }

    /// The event's time as the client sent it (`at`), if the request has one.
    public var eventTime: Double? {
        switch self {
        case .callOffered(_, _, _, _, let at), .abuse(_, _, _, _, _, _, let at), .warning(_, _, let at), .supervisor(_, _, _, _, let at),
             .hangupRequest(_, _, let at), .callEnded(_, _, _, let at), .history(_, let at, _, _), .explain(_, _, _, let at),
             .forgive(_, _, _, _, let at), .agents(let at):
            at
        case .status, .reload, .verify, .export, .exportShared, .tail, .purge, .exemptAdd, .exemptRemove, .exemptList, .reviewList, .review, .policyTest,
             .supervise, .report:
            nil
        }
    }

    /// The role a peer needs to send this request.
    public var role: Role { type.role }

    /// The request's `type`.
    public var type: RequestType {
        switch self {
        case .callOffered: .callOffered
        case .abuse: .abuse
        case .warning: .warning
        case .supervisor: .supervisor
        case .hangupRequest: .hangupRequest
        case .callEnded: .callEnded
        case .status: .status
        case .history: .history
        case .explain: .explain
        case .forgive: .forgive
        case .reload: .reload
        case .verify: .verify
        case .export, .exportShared: .export
        case .tail: .tail
        case .purge: .purge
        case .exemptAdd: .exemptAdd
        case .exemptRemove: .exemptRemove
        case .exemptList: .exemptList
        case .reviewList: .reviewList
        case .review(_, .renew, _): .reviewRenew
        case .review(_, .end, _): .reviewEnd
        case .policyTest: .policyTest
        case .agents: .agents
        case .supervise: .supervise
        case .report: .report
        }
    }
}

/// What a peer may do. Each role may do everything the roles before it may: a supervisor may also
/// send call events (a supervisor's desk may give verdicts through the same socket), an admin may do
/// everything.
public enum Role: String, Sendable, Comparable, CaseIterable {
    /// Nothing but `status`.
    case none
    /// Call events and `status`.
    case telephony
    /// Call events, and following the supervisor requests (`supervise`).
    case supervisor
    /// Everything.
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The fields every type of request accepts, in the protocol's words.
public enum RequestType: String, Sendable, CaseIterable {
    case callOffered = "call.offered"
    case abuse
    case warning
    case supervisor
    case hangupRequest = "hangup.request"
    case callEnded = "call.ended"
    case status
    case history
    case explain
    case forgive
    case reload
    case verify
    case export
    case tail
    case purge
    case exemptAdd = "exempt.add"
    case exemptRemove = "exempt.remove"
    case exemptList = "exempt.list"
    case reviewList = "review.list"
    case reviewRenew = "review.renew"
    case reviewEnd = "review.end"
    case policyTest = "policy.test"
    case agents
    case supervise
    case report

    /// The role a peer needs to send this type of request.
    public var role: Role {
        switch self {
        // Anyone who can reach the socket may ask whether the daemon is serving.
        case .status: .none
        // `supervisor` (the verdict) stays a call event: switches send it on a supervisor's behalf.
        case .callOffered, .abuse, .warning, .supervisor, .hangupRequest, .callEnded: .telephony
        // What supervisors look after: requests waiting for them, and the agents they support.
        case .supervise, .agents: .supervisor
        case .history, .explain, .forgive, .reload, .verify, .export, .tail, .purge,
             .exemptAdd, .exemptRemove, .exemptList, .reviewList, .reviewRenew, .reviewEnd, .policyTest, .report: .admin
        }
    }

    /// Fields beyond `type` and `id`.
    var fields: Set<String> { Self.fieldsByType[self]! }

    /// Built once: every request looks its type's fields up.
    private static let fieldsByType: [RequestType: Set<String>] = Dictionary(uniqueKeysWithValues: allCases.map { type in
        let fields: Set<String> = switch type {
        case .callOffered: ["call", "caller", "dialed", "attestation", "verification", "at"]
        case .abuse: ["call", "caller", "kind", "agent", "note", "attestation", "verification", "at"]
        case .warning: ["call", "agent", "at"]
        case .supervisor: ["call", "verdict", "supervisor", "reason", "at"]
        case .hangupRequest: ["call", "agent", "at"]
        case .callEnded: ["call", "by", "outcome", "at"]
        case .status, .reload, .verify, .tail, .purge, .exemptList, .supervise: []
        case .export: ["caller", "since", "after", "limit", "record"]
        case .history: ["caller", "at", "after", "limit"]
        case .explain: ["caller", "dialed", "attestation", "verification", "at"]
        case .forgive: ["caller", "reason", "incident", "grace", "at"]
        case .exemptAdd: ["target", "reason", "until", "routes"]
        case .exemptRemove: ["exemption", "reason"]
        case .reviewList: ["within"]
        case .reviewRenew, .reviewEnd: ["caller", "reason"]
        case .policyTest: ["policy", "path", "since"]
        case .agents: ["at"]
        case .report: ["since"]
        }
        return (type, fields)
    })
}
