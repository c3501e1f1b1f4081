import ArgumentParser
import CallwardenProtocol
import Foundation

struct ExplainCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show where a call from this caller would go now, and why.",
        discussion: """
            Every routing rule of the policy in force is tried in order, as for a real call, and each \
            one's finding is shown up to the rule that decides; then each incident with the weight it \
            carries now. Changes nothing: nothing is recorded and no call is opened. Needs the admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    @Argument(help: "The caller, as presented or normalised.")
    var caller: String

    @Option(help: ArgumentHelp("The number dialled, for rules that look at it.", valueName: "number"))
    var dialed: String?

    func execute() throws(ControlFailure) {
        let answer = try options.request("explain") { writer in
            writer.field("caller", caller)
            if let dialed { writer.field("dialed", dialed) }
        }
        guard !options.json else { return }
        let standing = answer["standing"]
        let who = answer["anonymous"]?.bool == true ? "a withheld or anonymous number" : answer["caller"].text
        Output.line("A call from \(who) would go to the \(answer["route"].text) route now: queue \(answer["queue"].text), priority \(answer["priority"].text).")
        Output.line("Decided by rule \(answer["rule"].text): \(answer["reason"].text)")
        Output.line("Standing: score \(HumanTime.number(standing["score"])), \(HistoryCommand.count(standing["incidents"]?.int64 ?? 0, "unforgiven incident")).")
        Output.line("")
        Output.line("Rules tried (policy \(answer["policy"].text), \(answer["policy_hash"].text)):")
        var trail = TextTable([.init(title: "MATCH"), .init(title: "RULE"), .init(title: "FINDING", maximumWidth: 100)])
        for step in answer["trail"]?.array ?? [] {
            trail.add([step["matched"]?.bool == true ? "yes" : "no", step["rule"].text, step["detail"].text])
        }
        trail.lines().forEach(Output.line)
        if let ladder = answer["ladder"] {
            Output.line("")
            Output.line(Self.describe(ladder: ladder))
        }
        if let words = answer["words"] {
            Output.line("")
            Self.describe(words: words).forEach(Output.line)
        }
        let incidents = answer["incidents"]?.array ?? []
        guard !incidents.isEmpty else { return }
        Output.line("")
        Output.line("Incidents:")
        var table = TextTable([
            .init(title: "ID", rightAligned: true), .init(title: "WHEN"), .init(title: "AGE"), .init(title: "KIND"),
            .init(title: "WEIGHT", rightAligned: true),
        ])
        for incident in incidents {
            table.add([
                incident["id"].text, HumanTime.when(incident["at"]?.string), HumanTime.age(incident["at"]?.string), incident["kind"].text,
                incident["forgiven"]?.bool == true ? "forgiven" : HumanTime.number(incident["weight"]),
            ])
        }
        table.lines().forEach(Output.line)
    }

    /// The words an agent is given, as the policy sets them, then each kind's own where it differs.
    static func describe(words: JSONValue) -> [String] {
        let labels = [("warning", "Warning"), ("end_call", "Ending the call"), ("after_threat", "After a threat")]
        var lines = ["Words for the agent:"]
        for (key, label) in labels { lines.append("  \(label): \(words[key].text)") }
        if case .object(let kinds)? = words["kinds"] {
            for (kind, own) in kinds.sorted(by: { $0.key < $1.key }) {
                for (key, label) in labels where own[key]?.string != words[key]?.string {
                    lines.append("  \(label), for \(kind): \(own[key].text)")
                }
            }
        }
        return lines
    }

    /// The ladder in force, in one sentence: what an agent must do before ending an abusive call.
    static func describe(ladder: JSONValue) -> String {
        var steps = ["vent \(HumanTime.duration(ladder["vent"]?.double ?? 0))"]
        if ladder["warning_required"]?.bool == true { steps.append("a warning") }
        if ladder["supervisor_required"]?.bool == true { steps.append("a supervisor's approval") }
        var text = "In a call: before ending it, " + steps.joined(separator: ", then ") + "."
        let immediate = (ladder["immediate"]?.array ?? []).map(\.text)
        if !immediate.isEmpty { text += " At once on: \(immediate.joined(separator: ", "))." }
        let alert = (ladder["alert"]?.array ?? []).map(\.text)
        if !alert.isEmpty { text += " Authority alerted on: \(alert.joined(separator: ", "))." }
        return text
    }
}
