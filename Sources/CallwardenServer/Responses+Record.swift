import CallwardenEngine
import CallwardenProtocol
import CallwardenRecord
import CallwardenStore

/// The success fields of `verify`, `export` and `purge` (docs/record.md).
extension Responses {
    static func write(_ report: ChainReport, to writer: inout JSONWriter) {
        writer.field("verified", report.verified)
        writer.field("entries", report.entries)
        writer.field("purged", report.purged)
        if let head = report.head {
            writer.object("head") { object in
                object.field("id", head.id)
                object.field("hash", head.hash)
            }
        }
        if let id = report.lastID, let hash = report.lastHash {
            writer.object("last") { last in
                last.field("id", id)
                last.field("hash", hash)
            }
        }
        if let problem = report.problem {
            writer.object("problem") { object in
                object.field("entry", problem.entry)
                object.field("kind", problem.kind.rawValue)
                object.field("message", problem.message)
            }
        }
    }

    static func write(_ page: ExportPage, to writer: inout JSONWriter) {
        writer.field("contiguous", page.contiguous)
        if let head = page.head {
            writer.object("head") { object in
                object.field("id", head.id)
                object.field("hash", head.hash)
            }
        }
        writer.array("entries", page.entries) { object, link in writeEntry(link, to: &object) }
        if let next = page.next { writer.field("next", next) } else { writer.field("next", nil as String?) }
    }

    /// One entry in the export format: every chain field under its column name (times as
    /// `recorded_at_us`, `at_us`, `until_us`), whole numbers as JSON numbers, absent values as
    /// null (`attestation` and `until` only when present); then readable times, `prev_hash` and
    /// `hash`.
    static func writeEntry(_ link: ChainLink, to writer: inout JSONWriter) {
        for field in link.fields {
            switch field.name {
            case "id", "recorded_at", "at", "ref", "until", "node", "origin":
                let name = ["id", "ref", "node", "origin"].contains(field.name) ? field.name : field.name + "_us"
                // A value that is not a whole number in plain decimal (an edited row: `7.5`, `+7`,
                // `007`) is kept as text, exactly.
                if let value = field.value, Int64(value).map(String.init) == value {
                    writer.field(name, raw: value)
                } else {
                    writer.field(name, field.value)
                }
            default:
                writer.field(field.name, field.value)
            }
        }
        for name in ["recorded_at", "at", "until"] {
            if let micros = link.value(name).flatMap({ Int64($0) }) {
                writer.field(name, EventTime.format(Double(micros) / 1_000_000))
            }
        }
        writer.field("prev_hash", link.previousHash)
        writer.field("hash", link.hash)
    }

    static func write(_ outcome: PurgeOutcome, to writer: inout JSONWriter) {
        writer.field("retention", outcome.retentionSet)
        writer.field("entries", .array(outcome.entries.map { .number(String($0)) }))
        writer.field("incidents", outcome.incidents)
        writer.field("purged", .array(outcome.purged.map { .number(String($0)) }))
    }
}
