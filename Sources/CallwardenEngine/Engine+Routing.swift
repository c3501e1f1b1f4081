import CallwardenLocking
import CallwardenCore
import Logging

extension Engine {
    /// The request name `status` counts decisions under.
    static let callOffered = "call.offered"

    /// Decides where a new call goes, from memory only, and starts following the call.
    /// - Parameter trust: what the switch said of the caller id; nil when it said nothing.
    public func offerCall(call: String, caller presented: String, dialed: String?, trust: CallerIDTrust? = nil, at: Double?) -> RoutedCall {
        let now = time(at)
        let opened = clock()
        // Normalising the numbers is most of a decision's work and needs only the numbering plan:
        // it is done outside the lock, which then covers only the lookup, the rules, opening the
        // call and the counts, so connections on other threads rarely wait for each other.
        let numbering = state.withLock { $0.policy.policy.numbering }
        let caller = numbering.normalise(presented)
        let dialedKey = dialed.map { numbering.normalise($0).key ?? $0 }
        // Never throws; the entries are the ends of calls evicted to stay within capacity. The
        // policy's meter is taken out with the decision and used once the lock is released.
        let ((routed, policyMeter), _) = perform { state in
            state.counters.requests[Self.callOffered, default: 0] += 1
            return state.offerCall(call: call, caller: caller, dialed: dialedKey, trust: trust, now: now, opened: opened).with(state.policyMeter)
        }
        policyMeter.routed(routed.decision)
        for rule in routed.decision.shadowMatches {
            logger.info("Shadow rule \(rule) matched; the call was routed \(routed.decision.route.rawValue) by rule \(routed.decision.rule)", metadata: [
                LogEvent.metadataKey: LogEvent.shadowMatched.metadataValue,
                "caller": .string(routed.caller.display), "call": .string(call), "shadow_rule": .string(rule),
                "route": .string(routed.decision.route.rawValue), "rule": .string(routed.decision.rule),
            ])
        }
        // Normal routes are the bulk of traffic and tell an admin nothing; the others are a
        // caller's story and go to the journal.
        let level: Logger.Level = routed.decision.route == .normal ? .debug : .info
        logger.log(level: level, "Call routed to \(routed.decision.route.rawValue) by rule \(routed.decision.rule)", metadata: [
            LogEvent.metadataKey: LogEvent.routeDecided.metadataValue,
            "caller": .string(routed.caller.display), "call": .string(call), "route": .string(routed.decision.route.rawValue),
            "queue": .string(routed.decision.queue), "rule": .string(routed.decision.rule),
        ])
        return routed
    }

    /// What a call from this caller would get now (or at `at`), with every rule tried; changes
    /// nothing. With `at`, incidents dated after it are left out; forgiveness is as it stands now.
    public func explain(caller presented: String, dialed: String?, trust: CallerIDTrust? = nil, at: Double?) -> Explanation {
        let now = time(at)
        return state.withLock { state in
            let policy = state.policy.policy
            let caller = policy.numbering.normalise(presented)
            let history = at == nil ? state.history(of: caller) : state.history(of: caller).asOf(now)
            let context = CallContext(caller: caller, dialed: dialed.map { policy.numbering.normalise($0).key ?? $0 }, trust: trust ?? .none)
            let exemption = state.exemptions.exemption(for: caller, at: now)
            let decision = policy.route(context, history: history, at: now, exemption: exemption, explain: true)
            let incidents = history.incidents.map { incident in
                Explanation.Incident(
                    id: incident.id, kind: incident.kind, at: incident.at, forgiven: incident.forgiven, trust: incident.trust,
                    inGrace: !incident.forgiven && (history.grace?.contains(incident.at) ?? false)
                        && (policy.categories[incident.kind]?.weight ?? 0) < policy.forgiveness.graceBelow,
                    weightNow: policy.weightNow(of: incident, in: history, at: now))
            }
            return Explanation(
                caller: caller, decision: decision, incidents: incidents, policyName: policy.name, policyHash: state.policy.hash,
                ladder: policy.ladder, immediateKinds: policy.kindNames.filter { policy.categories[$0]!.skipsLadder },
                alertKinds: policy.kindNames.filter { policy.categories[$0]!.alert },
                exemption: exemption, review: history.review, grace: history.grace, words: policy.words,
                kindWords: Dictionary(uniqueKeysWithValues: policy.kindNames.filter { !policy.categories[$0]!.words.isEmpty }.map { ($0, policy.words(for: $0)) }))
        }
    }
}

/// `explain`'s answer: the decision, the rule trail and what each incident weighs now.
public struct Explanation: Sendable {
    public struct Incident: Sendable {
        public var id: Int64
        public var kind: String
        public var at: Double
        public var forgiven: Bool
        /// How far the caller id of its call could be trusted.
        public var trust: CallerIDTrust
        /// A light incident dated inside the caller's grace window after a forgiveness: it does
        /// not count toward routing.
        public var inGrace: Bool
        public var weightNow: Double
    }

    public var caller: Caller
    public var decision: RouteDecision
    public var incidents: [Incident]
    public var policyName: String
    public var policyHash: String
    /// The ladder inside a call, as this policy sets it.
    public var ladder: LadderRules
    /// Kinds that authorise hang-up at once, without the ladder.
    public var immediateKinds: [String]
    /// Kinds that alert someone in authority.
    public var alertKinds: [String]
    /// The caller's exemption in force, if any.
    public var exemption: Exemption?
    public var review: ReviewMarks
    public var grace: GraceWindow?
    /// The texts an agent is given under this policy.
    public var words: AgentWords
    /// The words in force for each kind that has words of its own.
    public var kindWords: [String: AgentWords]
}
