import CallwardenCore
import CallwardenEngine
import CallwardenProtocol

/// The answers about agents: `agents`' table, `agent.welfare` notices, and the words in force.
extension Responses {
    static func write(agents: [AgentCounters], to writer: inout JSONWriter) {
        writer.array("agents", agents) { object, counters in write(counters, to: &object) }
    }

    static func write(_ counters: AgentCounters, to writer: inout JSONWriter) {
        writer.field("agent", counters.agent)
        writer.field("last_hour", counters.lastHour)
        writer.field("last_day", counters.lastDay)
        writer.field("threats", counters.threats)
        writer.field("last_incident", counters.lastIncident.map(EventTime.format))
    }

    /// An `agent.welfare` notice's fields (the `notice` of its feed line).
    static func write(_ alert: WelfareAlert, to writer: inout JSONWriter) {
        writer.field("agent", alert.agent)
        writer.field("rule", alert.rule)
        writer.field("say", alert.say)
        writer.field("calls", alert.calls)
        writer.field("incidents", alert.threshold)
        writer.field("within", alert.within)
        if let kinds = alert.kinds { writer.strings("kinds", kinds) }
        writer.field("incident", alert.incident)
        writer.field("kind", alert.kind)
        writer.field("call", alert.call)
        writer.field("at", EventTime.format(alert.at))
        writer.object("counters") { write(alert.counters, to: &$0) }
    }

    /// `explain`'s `words`: the policy's texts for the agent, and each kind's where it has its own.
    static func writeWords(_ explanation: Explanation, to writer: inout JSONWriter) {
        writer.object("words") { object in
            write(explanation.words, to: &object)
            object.object("kinds") { kinds in
                for (kind, words) in explanation.kindWords.sorted(by: { $0.key < $1.key }) {
                    kinds.object(kind) { write(words, to: &$0) }
                }
            }
        }
    }

    static func write(_ words: AgentWords, to writer: inout JSONWriter) {
        writer.field("warning", words.warning)
        writer.field("end_call", words.endCall)
        writer.field("after_threat", words.afterThreat)
    }
}
