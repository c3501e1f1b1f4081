import CallwardenCore
import CallwardenStore
import Foundation
import Logging
import Synchronization

/// An abuse event as the engine receives it.
public struct AbuseReport: Sendable {
    public var call: String?
    public var caller: String?
    public var kind: String
    public var agent: String?
    public var note: String?
    public var at: Double?
    /// Who sent it (`uid 1000`): kept in the record, so an incident an operator recorded by hand
    /// says whose hand.
    public var by: String?

    public init(call: String?, caller: String?, kind: String, agent: String?, note: String?, at: Double?, by: String? = nil) {
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
}

/// What `forgive` did.
public struct ForgiveOutcome: Sendable {
    public var caller: Caller
    public var forgiven: [Int64]
    public var standing: Standing
}

extension Engine {
    /// Records an incident: applied to memory at once, acknowledged once durable.
    public func recordAbuse(_ report: AbuseReport) throws(EngineError) -> Recorded<AbuseOutcome> {
        let now = time(report.at)
        let (outcome, ticket, category) = try state.withLock { state throws(EngineError) -> (AbuseOutcome, CommitTicket, AbuseCategory) in
            let policy = state.policy.policy
            guard let category = policy.categories[report.kind] else {
                throw .unknownKind(report.kind, valid: policy.kindNames)
            }
            let call = report.call.flatMap { state.calls[$0] }
            let caller: Caller
            if let presented = report.caller {
                caller = policy.numbering.normalise(presented)
            } else if let call {
                caller = call.caller
            } else {
                throw .unknownCall(report.call ?? "")
            }
            let entry = NewEntry(type: .incident, at: now, caller: caller.key, call: report.call, kind: report.kind, agent: report.agent, note: report.note, by: report.by)
            // Abuse in a call the daemon follows is a ladder step too.
            var entries = [entry]
            if var open = call {
                open.ladder.recordAbuse(at: now, kind: report.kind)
                entries = state.record(entry, in: &open)
            }
            let ticket = store.enqueue(entries)
            let id = ticket.ids.last ?? 0
            state.apply(incident: id, entry: entry)
            let standing = caller.key.flatMap { state.histories[$0] }.map { policy.standing(of: $0, at: now) } ?? .clean
            let outcome = AbuseOutcome(incident: id, caller: caller, standing: standing, hangupAuthorised: category.skipsLadder, alert: category.alert)
            return (outcome, ticket, category)
        }
        return Recorded(value: outcome, ticket: ticket) { [self] in
            logIncident(outcome, report: report, category: category)
        }
    }

    /// Marks a caller's incidents forgiven (all unforgiven ones, or one), keeping the record.
    public func forgive(caller presented: String, reason: String, incident: Int64?, by: String, at: Double?) throws(EngineError) -> Recorded<ForgiveOutcome> {
        let now = time(at)
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .badRequest("a reason is required: it is kept in the record")
        }
        let (outcome, ticket) = try state.withLock { state throws(EngineError) -> (ForgiveOutcome, CommitTicket) in
            let policy = state.policy.policy
            let caller = policy.numbering.normalise(presented)
            guard let key = caller.key else { throw .badRequest("the anonymous class has no history to forgive") }
            let unforgiven = (state.histories[key]?.incidents ?? []).filter { !$0.forgiven }.map(\.id)
            var targets = unforgiven
            if let incident {
                guard unforgiven.contains(incident) else {
                    throw .badRequest("incident \(incident) is not an unforgiven incident of \(key)")
                }
                targets = [incident]
            }
            let ticket = store.enqueue(targets.map { NewEntry(type: .forgiveness, at: now, caller: key, note: reason, ref: $0, by: by) })
            for id in targets { state.histories[key]?.forgive(incident: id) }
            let standing = state.histories[key].map { policy.standing(of: $0, at: now) } ?? .clean
            return (ForgiveOutcome(caller: caller, forgiven: targets, standing: standing), ticket)
        }
        return Recorded(value: outcome, ticket: ticket) { [logger] in
            guard !outcome.forgiven.isEmpty else { return }
            logger.notice("Incidents forgiven: \(reason)", metadata: [
                LogEvent.metadataKey: LogEvent.incidentForgiven.metadataValue, "caller": .string(outcome.caller.display),
                "incidents": .string(outcome.forgiven.map(String.init).joined(separator: ",")), "by": .string(by),
            ])
        }
    }

    /// After a failed commit, memory may hold entries the record does not: rebuild it from the
    /// record, which is the truth.
    func rebuildFromRecord() {
        do {
            let index = try HistoryIndex.load(from: store)
            state.withLock { state in
                state.histories = index.histories
                state.incidentCount = index.incidents
            }
            logger.warning("Standing rebuilt from the record after a failed write")
        } catch {
            logger.error("Standing could not be rebuilt from the record: \(error)")
        }
    }

    private func logIncident(_ outcome: AbuseOutcome, report: AbuseReport, category: AbuseCategory) {
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
                    "CALLWARDEN_CALLER": outcome.caller.display, "CALLWARDEN_CALL": report.call ?? "",
                    "CALLWARDEN_AGENT": report.agent ?? "", "CALLWARDEN_KIND": category.name,
                    "CALLWARDEN_INCIDENT": String(outcome.incident), "CALLWARDEN_NOTE": report.note ?? "",
                    "CALLWARDEN_AT": String(report.at ?? clock()),
                ])
            }
        }
    }
}
