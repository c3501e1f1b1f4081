import ArgumentParser
import CallwardenProtocol
import Foundation

struct ForgiveCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "forgive",
        abstract: "Forgive a caller's incidents (all unforgiven ones, or one), keeping the record and the reason.",
        discussion: """
            Forgiveness is added to the record, never a deletion: the incidents stay, marked forgiven \
            with the reason and your uid, and stop counting towards the caller's standing at once. \
            Needs the admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    @Argument(help: "The caller, as presented or normalised.")
    var caller: String

    @Option(help: ArgumentHelp("Why: kept in the record (required).", valueName: "text"))
    var reason: String

    @Option(help: ArgumentHelp("Forgive only this incident (its id, from `history`).", valueName: "id"))
    var incident: Int64?

    @Option(help: ArgumentHelp("A grace period (30d): light incidents in it do not restore a restriction. Default: the policy's; 0 for none.", valueName: "period"))
    var grace: String?

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why; it is kept in the record") }
        if let incident, incident <= 0 { throw ValidationError("--incident must be an incident id (a positive number)") }
        if let grace, HumanTime.parsePeriod(grace) == nil { throw ValidationError("--grace must be a period such as 30d, or 0") }
    }

    func execute() throws(ControlFailure) {
        let answer = try options.request("forgive") { writer in
            writer.field("caller", caller)
            writer.field("reason", reason)
            if let incident { writer.field("incident", incident) }
            if let grace, let seconds = HumanTime.parsePeriod(grace) { writer.field("grace", seconds) }
        }
        guard !options.json else { return }
        let ids = (answer["forgiven"]?.array ?? []).map { $0["incident"].text }
        let standing = answer["standing"]
        if ids.isEmpty {
            Output.line("\(answer["caller"].text) had no unforgiven incidents: nothing forgiven.")
        } else {
            Output.line("Forgave \(ids.count == 1 ? "incident" : "incidents") \(ids.joined(separator: ", ")) of \(answer["caller"].text); the reason is kept in the record.")
        }
        if let until = answer["grace_until"]?.string {
            Output.line("Grace until \(HumanTime.when(until)): light incidents until then do not restore a restriction.")
        }
        Output.line("Standing now: score \(HumanTime.number(standing["score"])), \(HistoryCommand.count(standing["incidents"]?.int64 ?? 0, "unforgiven incident")).")
    }
}
