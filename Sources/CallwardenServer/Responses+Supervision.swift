import CallwardenCore
import CallwardenEngine
import CallwardenProtocol

extension Responses {
    /// A supervisor request as the feeds show it (docs/protocol.md, "Supervisors").
    static func write(_ request: SupervisorRequest, to writer: inout JSONWriter) {
        writer.field("call", request.call)
        writer.field("caller", request.caller.display)
        writer.field("agent", request.agent)
        write(request.standing, to: &writer)
        writer.field("request", request.request)
        writer.field("rule", request.rule)
        writer.field("reason", request.reason)
        writer.field("asked_at", EventTime.format(request.askedAt))
        writer.field("deadline", request.deadline.map(EventTime.format))
    }

    /// A notice's object: the request, and for an answer its verdict and who gave it; for a
    /// welfare notice, the agent, the rule and what to do.
    static func write(_ notice: EngineNotice, to writer: inout JSONWriter) {
        if case .agentWelfare(let alert) = notice {
            write(alert, to: &writer)
            return
        }
        guard let request = notice.supervisorRequest else { return }
        write(request, to: &writer)
        if case .supervisorAnswered(_, let verdict, let by) = notice {
            writer.field("verdict", verdict)
            writer.field("by", by)
        }
    }
}
