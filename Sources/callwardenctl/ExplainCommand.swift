import ArgumentParser
import CallwardenProtocol
import Foundation

struct ExplainCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show where a call from this caller would go now, and why.",
        discussion: """
            Every routing rule of the policy in force is tried in order, as for a real call, and each \
            one's finding is shown up to the rule that decides (a rule skipped by the floor, an \
            exemption or a lapsed review says why); then the exemption, review decisions and grace \
            that apply, and each incident with its caller-id trust and the weight it carries now. The \
            call is taken to carry no caller-id trust unless --attestation or --verification says \
            otherwise. Changes nothing: nothing is recorded and no call is opened. Needs the admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    @Argument(help: "The caller, as presented or normalised.")
    var caller: String

    @Option(help: ArgumentHelp("The number dialled, for rules that look at it.", valueName: "number"))
    var dialed: String?

    @Option(help: ArgumentHelp("The call's STIR/SHAKEN attestation (A, B or C), for rules on caller-id trust. Default: none given.", valueName: "level"))
    var attestation: String?

    @Option(help: ArgumentHelp("The switch's verification: TN-Validation-Passed, TN-Validation-Failed or No-TN-Validation.", valueName: "result"))
    var verification: String?

    func validate() throws {
        if let attestation, CallerIDClaim.Attestation(rawValue: attestation) == nil {
            throw ValidationError("--attestation takes A, B or C, not '\(attestation)'")
        }
        if let verification, CallerIDClaim.Verification(rawValue: verification) == nil {
            throw ValidationError("--verification takes TN-Validation-Passed, TN-Validation-Failed or No-TN-Validation, not '\(verification)'")
        }
    }

    func execute() throws(ControlFailure) {
        let answer = try options.request("explain") { writer in
            writer.field("caller", caller)
            if let dialed { writer.field("dialed", dialed) }
            if let attestation { writer.field("attestation", attestation) }
            if let verification { writer.field("verification", verification) }
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
            trail.add([Self.match(step), step["rule"].text, Self.finding(step)])
        }
        trail.lines().forEach(Output.line)
        Self.fairness(answer).forEach(Output.line)
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
            .init(title: "CALLER ID"), .init(title: "WEIGHT", rightAligned: true),
        ])
        for incident in incidents {
            let weight = incident["forgiven"]?.bool == true ? "forgiven"
                : incident["in_grace"]?.bool == true ? "in grace" : HumanTime.number(incident["weight"])
            table.add([
                incident["id"].text, HumanTime.when(incident["at"]?.string), HumanTime.age(incident["at"]?.string), incident["kind"].text,
                incident["attestation"].text, weight,
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

    /// What a trail step did: `yes` it decided, `no` its condition did not hold, `shadow` it held
    /// and was only counted, `skipped` it held but could not decide (a floor, an exemption, a
    /// restriction past review).
    static func match(_ step: JSONValue) -> String {
        switch step["outcome"]?.string {
        case "decided": "yes"
        case "shadow": "shadow"
        case "skipped": "skipped"
        case "not_matched": "no"
        default: step["matched"]?.bool == true ? "yes" : "no"
        }
    }

    static func finding(_ step: JSONValue) -> String {
        guard let why = step["skipped"]?.string else { return step["detail"].text }
        let detail = step["detail"].text
        return detail.isEmpty ? "skipped: \(why)" : "\(detail); skipped: \(why)"
    }

    /// The exemption, review decisions and grace period that bear on the caller, one line each.
    static func fairness(_ answer: Answer) -> [String] {
        var lines: [String] = []
        if let shadows = answer["shadow"]?.array, !shadows.isEmpty {
            lines.append("Shadow rules that held (counted, not acted on): \(shadows.map(\.text).joined(separator: ", ")).")
        }
        if let exemption = answer["exemption"], exemption.object != nil {
            let routes = (exemption["routes"]?.array ?? []).map(\.text).joined(separator: " or ")
            let lapses = exemption["until"]?.string.map { "until \(HumanTime.when($0))" } ?? "until removed"
            lines.append("Exemption \(exemption["id"].text) (\(exemption["target"].text)): never routed \(routes), \(lapses); \(exemption["reason"].text)")
        }
        if let renewed = answer["review_renewed"]?.string { lines.append("Restriction renewed by a person \(HumanTime.when(renewed)).") }
        if let ended = answer["review_ended"]?.string { lines.append("Restriction ended by a person \(HumanTime.when(ended)): incidents before it no longer restrict under rules with a review.") }
        if let grace = answer["grace"], grace.object != nil {
            lines.append("Grace after forgiveness until \(HumanTime.when(grace["until"]?.string)): light incidents in it do not count towards routing.")
        }
        return lines.isEmpty ? [] : [""] + lines
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
