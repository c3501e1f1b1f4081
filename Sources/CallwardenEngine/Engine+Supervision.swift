import CallwardenLocking
import CallwardenCore
import Foundation
import Logging

extension Engine {
    /// Hears of every notice (supervisor requests and what befell them), in the record's order,
    /// each once what caused it is durable. Called outside the engine's lock, on whatever thread
    /// made the notice ready (often the record's writer): `body` must not block.
    public func observeNotices(_ body: @escaping @Sendable (EngineNotice) -> Void) {
        noticeObservers.withLock { $0.append(body) }
    }

    /// The supervisor requests waiting for a verdict, the earliest asked first.
    public func pendingSupervisorRequests() -> [SupervisorRequest] {
        state.withLock { $0.supervision.all }
    }

    /// Times out the supervisor requests whose deadline has passed by the daemon's clock;
    /// returns the earliest deadline still pending, for the timeout service's next look.
    public func timeOutSupervisorRequests() -> Double? {
        let now = clock()
        let (_, _) = perform { state in
            state.timeOutSupervisorRequests(now: now)
            return Step(outcome: (), entries: [], firstID: state.nextID)
        }
        return state.withLock { $0.supervision.nextDeadline }
    }

    /// Sends notices to the journal, the alert command and the observers, in order.
    func send(_ notices: [EngineNotice]) {
        guard !notices.isEmpty else { return }
        let observers = noticeObservers.withLock { $0 }
        for notice in notices {
            journal(notice)
            alert(notice)
            for observer in observers { observer(notice) }
        }
    }

    private func journal(_ notice: EngineNotice) {
        guard let request = notice.supervisorRequest else { return }
        var metadata: Logger.Metadata = [
            "call": .string(request.call), "caller": .string(request.caller.display), "agent": .string(request.agent ?? ""),
        ]
        if case .supervisorNeeded = notice {
            metadata[LogEvent.metadataKey] = LogEvent.supervisorNeeded.metadataValue
            metadata["deadline"] = .string(request.deadline.map(Self.timeText) ?? "")
            let until = request.deadline.map { "; the ladder authorises hang-up at \(Self.timeText($0)) without one" } ?? ""
            logger.notice("Supervisor needed: the agent asked to end call \(request.call) and a supervisor's verdict is required\(until)", metadata: metadata)
        } else if case .supervisorAnswered(_, let verdict, let by) = notice {
            metadata[LogEvent.metadataKey] = LogEvent.supervisorAnswered.metadataValue
            metadata["verdict"] = .string(verdict)
            metadata["by"] = .string(by ?? "")
            let what = verdict == "ended" ? "the call ended before a verdict" : "verdict \(verdict)"
            logger.notice("Supervisor request for call \(request.call) answered: \(what)", metadata: metadata)
        } else if case .supervisorTimedOut = notice {
            metadata[LogEvent.metadataKey] = LogEvent.supervisorTimedOut.metadataValue
            metadata["deadline"] = .string(request.deadline.map(Self.timeText) ?? "")
            logger.warning("Supervisor request for call \(request.call) timed out: no verdict by its deadline; the agent may end the call", metadata: metadata)
        }
    }

    /// RFC 3339 in UTC to the second, for the journal. (The wire's own formatter lives in
    /// CallwardenProtocol, which the engine does not depend on; Foundation's does this much.)
    static func timeText(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }

    /// The policy's alert command hears when a supervisor is needed (`CALLWARDEN_EVENT`
    /// `supervisor.needed`), so that one can be paged; answers and timeouts are on the feeds.
    /// Times are seconds since 1970, as `CALLWARDEN_AT` is for an alerting incident.
    private func alert(_ notice: EngineNotice) {
        guard case .supervisorNeeded(let request) = notice, let action = policy.policy.alert else { return }
        alerts.run(action, fields: [
            "CALLWARDEN_EVENT": "supervisor.needed", "CALLWARDEN_CALL": request.call, "CALLWARDEN_CALLER": request.caller.display,
            "CALLWARDEN_AGENT": request.agent ?? "", "CALLWARDEN_AT": String(request.askedAt),
            "CALLWARDEN_DEADLINE": request.deadline.map { String($0) } ?? "", "CALLWARDEN_REASON": request.reason,
            "CALLWARDEN_SCORE": String(request.standing.score), "CALLWARDEN_INCIDENTS": String(request.standing.incidents),
        ])
    }
}
