import CallwardenEngine
import CallwardenProtocol
import Logging

/// Where an `agent.welfare` notice goes once its incident is durable, besides the `tail` feed
/// (which carries every notice): the journal (its own MESSAGE_ID, at warning priority so that it
/// stands out in `journalctl -p warning`) and the policy's alert command with
/// `CALLWARDEN_EVENT=agent.welfare`.
public struct WelfareDelivery: Sendable {
    let engine: Engine
    let logger: Logger

    public init(engine: Engine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    /// Listens to the engine's notices for the welfare ones.
    public func attach() {
        engine.observeNotices { [self] notice in
            if case .agentWelfare(let alert) = notice { deliver(alert) }
        }
    }

    func deliver(_ alert: WelfareAlert) {
        var metadata: Logger.Metadata = [
            LogEvent.metadataKey: LogEvent.agentWelfare.metadataValue,
            "agent": .string(alert.agent), "rule": .string(alert.rule), "calls": .string(String(alert.calls)),
            "incident": .string(String(alert.incident)), "kind": .string(alert.kind),
            "last_hour": .string(String(alert.counters.lastHour)), "last_day": .string(String(alert.counters.lastDay)),
            "threats": .string(String(alert.counters.threats)),
        ]
        if let call = alert.call { metadata["call"] = .string(call) }
        logger.warning("Agent \(alert.agent) needs looking after (welfare rule \(alert.rule)): \(alert.say)", metadata: metadata)
        engine.runAlertCommand(fields: [
            "CALLWARDEN_EVENT": "agent.welfare", "CALLWARDEN_AGENT": alert.agent, "CALLWARDEN_RULE": alert.rule,
            "CALLWARDEN_SAY": alert.say, "CALLWARDEN_CALLS": String(alert.calls), "CALLWARDEN_KIND": alert.kind,
            "CALLWARDEN_INCIDENT": String(alert.incident), "CALLWARDEN_CALL": alert.call ?? "",
            "CALLWARDEN_AT": String(alert.at),
        ])
    }
}
