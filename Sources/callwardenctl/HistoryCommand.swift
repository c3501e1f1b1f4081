import ArgumentParser
import CallwardenProtocol
import Foundation

struct HistoryCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show a caller's standing, every incident on record, and each call's story.",
        discussion: """
            Each incident with when it happened, how long ago, its kind, the weight it still carries \
            (weights halve every half-life of their kind; forgiven incidents weigh nothing), the agent, \
            who sent it (BY: the sender's uid, or system for the daemon's own detection), the call and \
            the note; forgiven incidents with when, by whom and why. The caller may be \
            written in any form the policy's numbering plan reads (07700 900123, +447700900123, \
            sip:...). Then each call whose ladder began (docs/ladder.md), step by step in the order \
            callwarden took them, with time, agent and supervisor: offered, abuse, warning, the \
            hang-up requests and their answers with the ladder rule, supervisors' verdicts, and the \
            end; ENTRY is the step's entry in the record (see export). Needs the admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    @Argument(help: "The caller, as presented or normalised.")
    var caller: String

    func execute() throws(ControlFailure) {
        // The daemon answers in pages; with --json each page is printed as its own line.
        var pages: [Answer] = []
        var after: Int64?
        repeat {
            let page = try options.request("history") { writer in
                writer.field("caller", caller)
                if let after { writer.field("after", after) }
            }
            pages.append(page)
            let next = page["next"]?.int64
            // A next that does not move forward would repeat the same page for ever.
            after = next.flatMap { next in next > (after ?? 0) ? next : nil }
        } while after != nil
        guard !options.json, let answer = pages.first else { return }
        let standing = answer["standing"]
        let incidents = pages.flatMap { $0["incidents"]?.array ?? [] }
        let calls = pages.flatMap { $0["calls"]?.array ?? [] }
        Output.line("\(answer["caller"].text): score \(HumanTime.number(standing["score"])), \(Self.count(standing["incidents"]?.int64 ?? 0, "unforgiven incident"))")
        defer { CallStoryText.print(calls) }
        guard !incidents.isEmpty else {
            Output.line("  No incidents on record.")
            return
        }
        var table = TextTable([
            .init(title: "ID", rightAligned: true), .init(title: "WHEN"), .init(title: "AGE"), .init(title: "KIND"),
            .init(title: "WEIGHT", rightAligned: true), .init(title: "AGENT", maximumWidth: 20), .init(title: "BY", maximumWidth: 12), .init(title: "CALL", maximumWidth: 24),
            .init(title: "NOTE", maximumWidth: 50),
        ])
        var forgiven: [String] = []
        for incident in incidents {
            let isForgiven = incident["forgiven"]?.bool == true
            table.add([
                incident["id"].text, HumanTime.when(incident["at"]?.string), HumanTime.age(incident["at"]?.string), incident["kind"].text,
                isForgiven ? "forgiven" : HumanTime.number(incident["weight"]), incident["agent"].text, incident["by"].text, incident["call"].text,
                incident["note"].text,
            ])
            if let forgiveness = incident["forgiveness"] {
                forgiven.append("  incident \(incident["id"].text) forgiven \(HumanTime.when(forgiveness["at"]?.string)) by \(forgiveness["by"].text): \(forgiveness["reason"].text)")
            }
        }
        Output.line("")
        table.lines().forEach(Output.line)
        if !forgiven.isEmpty {
            Output.line("")
            forgiven.forEach(Output.line)
        }
    }

    static func count(_ number: Int64, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
