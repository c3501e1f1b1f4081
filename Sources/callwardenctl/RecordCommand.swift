import ArgumentParser
import CallwardenProtocol
import Foundation

struct RecordCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record an incident by hand (an abuse report that did not come from the switch).",
        discussion: """
            Sends an `abuse` event for the caller, as a telephony system would. The record keeps your \
            uid as who recorded it, besides the agent named with --agent. KIND is one of the policy's \
            categories (the shipped policy: verbal, threat, physical_threat, nuisance, time_wasting); \
            anger alone is not abuse. Needs the admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    @Argument(help: "The caller, as presented or normalised.")
    var caller: String

    @Option(help: ArgumentHelp("The kind of abuse, one of the policy's categories.", valueName: "kind"))
    var kind: String

    @Option(help: ArgumentHelp("What happened, in a few words: kept in the record.", valueName: "text"))
    var note: String?

    @Option(help: ArgumentHelp("The agent who was abused.", valueName: "id"))
    var agent: String?

    @Option(help: ArgumentHelp("The call it happened in, if known.", valueName: "id"))
    var call: String?

    @Option(help: ArgumentHelp("When it happened: RFC 3339 or seconds since 1970 (default: now).", valueName: "time"))
    var at: String?

    func validate() throws {
        if let at, Double(at) == nil, EventTime.parse(at) == nil {
            throw ValidationError("--at must be RFC 3339 (2026-11-23T16:05:00Z) or seconds since 1970")
        }
    }

    func execute() throws(ControlFailure) {
        let answer = try options.request("abuse") { writer in
            writer.field("caller", caller)
            writer.field("kind", kind)
            if let note { writer.field("note", note) }
            if let agent { writer.field("agent", agent) }
            if let call { writer.field("call", call) }
            if let at { if let seconds = Double(at) { writer.field("at", seconds) } else { writer.field("at", at) } }
        }
        guard !options.json else { return }
        let standing = answer["standing"]
        // The caller as callwarden knows them (normalised), as `forgive` and `history` print them.
        Output.line("Recorded incident \(answer["incident"].text) (\(kind)) for \((answer["caller"]?.string).map { $0 } ?? caller).")
        Output.line("Standing now: score \(HumanTime.number(standing["score"])), \(HistoryCommand.count(standing["incidents"]?.int64 ?? 0, "unforgiven incident")).")
        if answer["hangup"]?.string == "authorised" { Output.line("The policy lets the agent end such a call at once.") }
        if answer["alert"]?.bool == true { Output.line("Someone in authority is being alerted (the journal, and the policy's alert command).") }
    }
}
