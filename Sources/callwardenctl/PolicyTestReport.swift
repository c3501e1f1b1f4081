import CallwardenProtocol
import Foundation

/// `policy test`'s answer as text for the operator deciding whether to apply the candidate.
struct PolicyTestReport {
    let answer: Answer
    let candidateFile: String
    let candidateHash: String

    func print() {
        let live = answer["live"]
        let since = answer["since"]?.string.map { " from \(HumanTime.when($0))" } ?? ""
        Output.line("Candidate \(answer["candidate"]["name"].text) (\(candidateHash)) from \(candidateFile), beside \(live["name"].text) (\(live["hash"].text)) in force.")
        Output.line("Replayed \(Self.count(answer["entries"], "entry", plural: "entries")): \(Self.count(answer["calls"], "recorded call"))\(since), and \(Self.count(answer["callers"], "caller")) with a history as of now, in \(String(format: "%.2f", answer["seconds"]?.double ?? 0)) s.")
        Output.line("")
        routes(answer["routes"]["calls"], title: "Routes at recorded calls", perCall: true)
        routes(answer["routes"]["now"], title: "Routes now", perCall: false)
        hangups(answer["hangups"])
        rules()
        Output.line("")
        Output.line(answer["changed"]?.bool == true
            ? "Something would change: \(Self.count(answer["callers_changed"], "caller")) routed otherwise, \(Self.count(answer["hangups"]["changed"], "hang-up answer")) otherwise (exit status 1)."
            : "Nothing would change.")
    }

    /// At recorded calls a caller may count more than once; now, each caller is one decision.
    private func routes(_ section: JSONValue?, title: String, perCall: Bool) {
        let transitions = section["transitions"]?.array ?? []
        let callers = perCall ? " (\(Self.count(section["callers"], "caller")))" : ""
        Output.line("\(title): \(Self.count(section["changed"])) of \(Self.count(section["decisions"], perCall ? "call" : "caller")) would change\(callers)")
        for moved in transitions {
            let counts = perCall ? "\(Self.count(moved["decisions"], "call")), \(Self.count(moved["callers"], "caller"))" : Self.count(moved["callers"], "caller")
            Output.line("  \(Self.outcome(moved["from"])) -> \(Self.outcome(moved["to"])): \(counts)")
            let examples = moved["examples"]?.array?.compactMap(\.string) ?? []
            if !examples.isEmpty { Output.line("      e.g. \(examples.joined(separator: ", "))") }
        }
        if let same = section["other_rule_same_answer"]?.int64, same > 0 {
            Output.line("  (\(Self.count(section["other_rule_same_answer"])) would get the same answer from a rule of another name)")
        }
    }

    private func hangups(_ section: JSONValue?) {
        Output.line("Hang-up answers: \(Self.count(section["changed"])) of \(Self.count(section["requests"], "recorded request")) would change")
        for moved in section["transitions"]?.array ?? [] {
            Output.line("  \(moved["from"].text) -> \(moved["to"].text): \(Self.count(moved["requests"]))")
            for example in moved["examples"]?.array ?? [] {
                Output.line("      e.g. call \(example["call"].text) (\(example["caller"].text), \(HumanTime.when(example["at"]?.string))): ladder rule \(example["from_rule"].text) -> \(example["to_rule"].text)")
            }
        }
    }

    private func rules() {
        let never = answer["never_decided"]?.array ?? []
        let shadow = answer["shadow"]?.array ?? []
        let unreachable = answer["unreachable"]?.array ?? []
        Output.line(never.isEmpty ? "Every rule of the candidate decided at least once." : "Rules of the candidate that never decided: \(never.map(Self.rule).joined(separator: ", "))")
        if !shadow.isEmpty {
            Output.line("Shadow rules (counted, never deciding): " + shadow.map { "\(Self.rule($0)) held \(Self.count($0["matches"], "time"))" }.joined(separator: ", "))
        }
        for covered in unreachable {
            Output.line("Unreachable: \(Self.rule(covered)) is always caught first by \(covered["covered_by"].text)")
        }
    }

    /// `nuisance (rule nuisance, queue nuisance, priority 0)`.
    private static func outcome(_ value: JSONValue?) -> String {
        "\(value["route"].text) (rule \(value["rule"].text), queue \(value["queue"].text), priority \(value["priority"].text))"
    }

    private static func rule(_ value: JSONValue) -> String {
        let line = value["line"]?.int64.map { " (line \($0))" } ?? ""
        return "\(value["rule"].text)\(line)"
    }

    /// `1 call`, `1,234 calls`.
    static func count(_ value: JSONValue?, _ noun: String, plural: String? = nil) -> String {
        "\(count(value)) \(value?.int64 == 1 ? noun : plural ?? noun + "s")"
    }

    /// `1,234,567`.
    static func count(_ value: JSONValue?) -> String {
        guard let number = value?.int64 else { return value.text }
        let digits = String(number.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (number < 0 ? "-" : "") + grouped
    }
}
