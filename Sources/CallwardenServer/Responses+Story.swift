import CallwardenEngine
import CallwardenProtocol

/// `history`'s `calls`: each call's steps in order (docs/protocol.md, "The call's story").
extension Responses {
    static func writeCalls(_ calls: [CallStory], to writer: inout JSONWriter) {
        writer.array("calls", calls) { object, story in
            object.field("call", story.call)
            object.array("steps", story.steps) { step, taken in
                step.field("entry", taken.entry)
                step.field("type", taken.type.rawValue)
                step.field("at", EventTime.format(taken.at))
                // Only what the step holds: an absent field was not part of it.
                if let kind = taken.kind { step.field("kind", kind) }
                if let agent = taken.agent { step.field("agent", agent) }
                if let supervisor = taken.supervisor { step.field("supervisor", supervisor) }
                if let by = taken.by { step.field("by", by) }
                if let outcome = taken.outcome { step.field("outcome", outcome) }
                if let rule = taken.rule { step.field("rule", rule) }
                if let note = taken.note { step.field("note", note) }
            }
        }
    }
}
