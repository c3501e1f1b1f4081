import CallwardenCore
import CallwardenStore

/// Where the replay meets caller-id trust, shadow rules, exemptions, reviews and grace: each
/// read from the record as the engine reads it (`CallerHistory+Entries`, in the store), and
/// decided by the core's router, so that a replayed decision is the daemon's.
enum PolicyFeatures {
    /// The decision for `call` under `policy`, with the exemption in force for its caller.
    static func route(_ policy: Policy, _ call: CallContext, history: CallerHistory, at now: Double, exemption: Exemption?) -> RouteDecision {
        policy.route(call, history: history, at: now, exemption: exemption)
    }

    /// What a recorded call knew of its caller: the caller, and the caller-id trust the switch
    /// gave on `call.offered` (kept on the call's `call_start`). The record does not keep the
    /// dialed number, so rules on `dialed` see none.
    static func context(caller: Caller, entry: NewEntry) -> CallContext {
        let trust = entry.type == .callStart ? entry.attestation.flatMap(CallerIDTrust.init(rawValue:)) : nil
        return CallContext(caller: caller, dialed: nil, trust: trust ?? .none)
    }

    /// The call of the "now" decision point: a caller with nothing known of the call itself.
    static func context(caller: Caller) -> CallContext {
        CallContext(caller: caller, dialed: nil)
    }

    /// The candidate's shadow rules whose condition held for this decision.
    static func shadowMatches(_ decision: RouteDecision) -> [String] {
        decision.shadowMatches
    }

    static func isShadow(_ rule: RoutingRule) -> Bool {
        rule.shadow
    }

    /// The policy line a rule starts on (0 for a rule not read from a file).
    static func line(of rule: RoutingRule) -> Int? {
        rule.line > 0 ? rule.line : nil
    }

    /// Rules an earlier rule always catches first.
    static func unreachableRules(of policy: Policy) -> [CoveredRule] {
        policy.unreachableRules().map { CoveredRule(rule: RuleName(name: $0.rule, line: $0.line > 0 ? $0.line : nil), coveredBy: $0.coveredBy) }
    }

    /// An incident as the decisions see it, with the caller-id trust it was recorded with.
    static func incident(id: Int64, kind: String, entry: NewEntry) -> IncidentSummary {
        IncidentSummary(id: id, recorded: entry) ?? IncidentSummary(id: id, kind: kind, at: entry.at)
    }
}
