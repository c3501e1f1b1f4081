import CallwardenCore
import CallwardenStore

/// Where the replay meets the policy features of caller-ID trust, shadow rules, exemptions and
/// reviews. Each is one small function here so that the rest of the replay is written against
/// them once: until the core's router and the record carry those features, each answers as a
/// policy without them would (no trust on the call, no shadow rules, no exemption, no line
/// numbers, no rule found unreachable).
enum PolicyFeatures {
    /// The decision for `call` under `policy`, with the exemption in force for its caller.
    static func route(_ policy: Policy, _ call: CallContext, history: CallerHistory, at now: Double, exemption: ReplayExemptions.Exemption?) -> RouteDecision {
        policy.route(call, history: history, at: now)
    }

    /// What a recorded call knew of its caller: the caller, and the caller-ID trust the switch
    /// gave on `call.offered` (kept on the call's `call_start`). The record does not keep the
    /// dialed number, so rules on `dialed` see none.
    static func context(caller: Caller, entry: NewEntry) -> CallContext {
        CallContext(caller: caller, dialed: nil)
    }

    /// The call of the "now" decision point: a caller with nothing known of the call itself.
    static func context(caller: Caller) -> CallContext {
        CallContext(caller: caller, dialed: nil)
    }

    /// The candidate's shadow rules whose condition held for this decision.
    static func shadowMatches(_ decision: RouteDecision) -> [String] {
        []
    }

    static func isShadow(_ rule: RoutingRule) -> Bool {
        false
    }

    /// The policy line a rule starts on, when the parser kept it.
    static func line(of rule: RoutingRule) -> Int? {
        nil
    }

    /// Rules an earlier rule always catches first.
    static func unreachableRules(of policy: Policy) -> [CoveredRule] {
        []
    }

    /// An incident as the decisions see it, with the caller-ID trust it was recorded with.
    static func incident(id: Int64, kind: String, entry: NewEntry) -> IncidentSummary {
        IncidentSummary(id: id, kind: kind, at: entry.at)
    }
}

extension CallerHistory {
    /// Review marks (`review` entries: a restriction renewed or ended by a person) and a
    /// forgiveness's grace window (`forgiveness` with `until`), as the engine applies them.
    mutating func replayMarks(_ entry: NewEntry) {}
}

/// The exemptions in force as the record tells them (`exemption` and `exemption_end` entries).
struct ReplayExemptions: Sendable {
    /// An exemption as the router takes it.
    struct Exemption: Sendable, Equatable {
        var id: Int64
    }

    mutating func apply(_ stored: StoredEntry) {}

    func exemption(for caller: Caller, at now: Double) -> Exemption? {
        nil
    }
}
