import CallwardenCore
import CallwardenStore
import Foundation
import Logging

/// An abuse event as the engine receives it.
public struct AbuseReport: Sendable {
    public var call: String?
    public var caller: String?
    public var kind: String
    public var agent: String?
    public var note: String?
    public var at: Double?
    /// What the switch said of the caller id with this event; nil: nothing (the call's own, from
    /// its offer, is used when the call is followed).
    public var trust: CallerIDTrust?
    /// Who sent it (`uid 1000`): kept in the record, so an incident an operator recorded by hand
    /// says whose hand.
    public var by: String?

    public init(call: String?, caller: String?, kind: String, agent: String?, note: String?, at: Double?, trust: CallerIDTrust? = nil, by: String? = nil) {
        self.trust = trust
        self.call = call
        self.caller = caller
        self.kind = kind
        self.agent = agent
        self.note = note
        self.at = at
        self.by = by
    }
}

/// What recording an incident decided at once.
public struct AbuseOutcome: Sendable {
    public var incident: Int64
    public var caller: Caller
    public var standing: Standing
    /// The kind skips the ladder: the agent may end the call now.
    public var hangupAuthorised: Bool
    /// Someone in authority is being alerted.
    public var alert: Bool
    /// The policy's category of the incident, as it stood when it was recorded.
    public var category: AbuseCategory
    /// What the agent does now, from the policy's words, when the kind ends the call at once or
    /// alerts (a threat): the after-threat text; nil otherwise.
    public var say: String?
    /// Welfare rules the incident raised for the agent who took it.
    public var welfare: [WelfareAlert] = []
}

/// What `forgive` did.
public struct ForgiveOutcome: Sendable {
    public var caller: Caller
    public var forgiven: [Int64]
    public var standing: Standing
    /// Until when light incidents do not restore a restriction; nil: no grace.
    public var graceUntil: Double?
}

extension Engine {
    /// Records an incident: applied to memory at once, acknowledged once durable.
    public func recordAbuse(_ report: AbuseReport) throws(EngineError) -> Recorded<AbuseOutcome> {
        let now = time(report.at)
        let ((outcome, policyMeter), ticket) = try performWrite { state throws(EngineError) in
            try state.recordAbuse(report, now: now).with(state.policyMeter)
        }
        return Recorded(value: outcome, ticket: ticket) { [self] in
            policyMeter.incidentRecorded(kind: outcome.category.name)
            logIncident(outcome, report: report)
            for alert in outcome.welfare { notify(.agentWelfare(alert)) }
        }
    }

    /// Marks a caller's incidents forgiven (all unforgiven ones, or one), keeping the record.
    /// - Parameter grace: seconds after the forgiveness during which light incidents do not
    ///   restore a restriction; nil: the policy's `forgiveness.grace`.
    public func forgive(caller presented: String, reason: String, incident: Int64?, grace: Double? = nil, by: String, at: Double?) throws(EngineError) -> Recorded<ForgiveOutcome> {
        let now = time(at)
        let (outcome, ticket) = try performWrite { state throws(EngineError) in
            try state.forgive(caller: presented, reason: reason, incident: incident, grace: grace, by: by, now: now)
        }
        return Recorded(value: outcome, ticket: ticket) { [logger] in
            guard !outcome.forgiven.isEmpty else { return }
            logger.notice("Incidents forgiven: \(reason)", metadata: [
                LogEvent.metadataKey: LogEvent.incidentForgiven.metadataValue, "caller": .string(outcome.caller.display),
                "incidents": .string(outcome.forgiven.map(String.init).joined(separator: ",")), "by": .string(by),
            ])
        }
    }

    private func logIncident(_ outcome: AbuseOutcome, report: AbuseReport) {
        let category = outcome.category
        var metadata: Logger.Metadata = [
            LogEvent.metadataKey: LogEvent.incidentRecorded.metadataValue,
            "caller": .string(outcome.caller.display), "kind": .string(category.name), "incident": .string(String(outcome.incident)),
        ]
        if let call = report.call { metadata["call"] = .string(call) }
        if let agent = report.agent { metadata["agent"] = .string(agent) }
        logger.notice("Incident \(outcome.incident) recorded: \(category.name)", metadata: metadata)
        if category.alert {
            metadata[LogEvent.metadataKey] = LogEvent.alert.metadataValue
            metadata["priority"] = "alert"
            logger.critical("ALERT: \(category.name) against staff; incident \(outcome.incident), caller \(outcome.caller.display)", metadata: metadata)
            if let action = policy.policy.alert {
                alerts.run(action, fields: [
                    // The same command hears of other events (supervisor.needed): this names the kind.
                    "CALLWARDEN_EVENT": "alert",
                    "CALLWARDEN_CALLER": outcome.caller.display, "CALLWARDEN_CALL": report.call ?? "",
                    "CALLWARDEN_AGENT": report.agent ?? "", "CALLWARDEN_KIND": category.name,
                    "CALLWARDEN_INCIDENT": String(outcome.incident), "CALLWARDEN_NOTE": report.note ?? "",
                    "CALLWARDEN_AT": String(report.at ?? clock()),
                ])
            }
        }
    }
}
