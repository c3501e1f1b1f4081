import CallwardenEngine
import CallwardenProtocol
import CallwardenStore

/// `report`'s answer (docs/protocol.md, "report").
extension Responses {
    /// What the report says of routes: the record cannot count them.
    static let routesNotRecorded = "calls offered are not recorded (only calls whose ladder began are): routes cannot be counted from the record; status and the metrics endpoint count them since start-up"

    static func write(_ report: RecordReport, to writer: inout JSONWriter) {
        if let since = report.since { writer.field("since", EventTime.format(since)) } else { writer.field("since", nil as String?) }
        writer.field("now", EventTime.format(report.now))
        writer.field("entries", report.entries)
        writer.field("seconds", (report.seconds * 1000).rounded() / 1000)
        writer.object("incidents") { object in
            object.field("total", report.incidents)
            write(report.incidentsByKind, "by_kind", key: "kind", to: &object)
            write(report.incidentsByAgent, "by_agent", key: "agent", to: &object)
            write(report.incidentsByRule, "by_rule", key: "rule", to: &object)
        }
        writer.object("routes") { object in
            object.field("counted", false)
            object.field("reason", routesNotRecorded)
        }
        writer.object("hangups") { object in
            let hangups = report.hangups
            object.field("requests", hangups.requests)
            object.object("by_answer") { answers in
                for word in ["authorised", "denied", "supervisor_required"] { answers.field(word, hangups.answers.count(of: word)) }
                // Anything else the record holds is counted under its own word, never dropped.
                for row in hangups.answers.rows where !["authorised", "denied", "supervisor_required"].contains(row.name ?? "") {
                    answers.field(row.name ?? "none", row.count)
                }
            }
            let rows = hangups.rules.sorted { $0.key < $1.key }.flatMap { answer, rules in
                rules.rows.map { (answer, $0) }
            }.sorted { ($1.1.count, $0.1.name ?? "", $0.0) < ($0.1.count, $1.1.name ?? "", $1.0) }
            object.array("by_rule", rows) { row, item in
                row.field("rule", item.1.name)
                row.field("answer", item.0.isEmpty ? nil : item.0)
                row.field("count", item.1.count)
            }
        }
        writer.object("supervisor") { object in
            let supervisors = report.supervisors
            object.field("requests", supervisors.requests)
            object.field("verdicts", supervisors.verdicts)
            object.field("approve", supervisors.approved)
            object.field("deny", supervisors.denied)
            optional(supervisors.approvalRate.map { ($0 * 10_000).rounded() / 10_000 }, "approval_rate", to: &object)
            object.field("timed_out", supervisors.timedOut)
            object.object("response_seconds") { times in
                times.field("answered", supervisors.responseTimes.count)
                optional(supervisors.medianResponse, "median", to: &times)
                optional(supervisors.p90Response, "p90", to: &times)
            }
        }
        writer.object("forgiveness") { $0.field("incidents", report.forgiven) }
        writer.object("exemptions") { object in
            object.field("added", report.exemptionsAdded)
            object.field("ended", report.exemptionsEnded)
        }
        writer.object("reviews") { object in
            object.field("renew", report.reviewsRenewed)
            object.field("end", report.reviewsEnded)
        }
        writer.object("calls") { object in
            object.field("ended", report.callsEnded)
            write(report.callOutcomes, "by_outcome", key: "outcome", to: &object)
            write(report.callEnders, "by", key: "by", to: &object)
        }
    }

    /// `[{key: name, count: n}]`, most first; `key: null` for entries that named none; and
    /// `NAME_others` when names past the tally's limit were counted together.
    private static func write(_ tally: NameTally, _ name: String, key: String, to writer: inout JSONWriter) {
        writer.array(name, tally.rows) { object, row in
            object.field(key, row.name)
            object.field("count", row.count)
        }
        if tally.others > 0 { writer.field(name + "_others", tally.others) }
    }

    private static func optional(_ value: Double?, _ name: String, to writer: inout JSONWriter) {
        if let value { writer.field(name, value) } else { writer.field(name, nil as String?) }
    }
}
