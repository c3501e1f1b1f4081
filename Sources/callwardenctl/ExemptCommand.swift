import ArgumentParser
import CallwardenProtocol
import Foundation

/// `callwardenctl exempt add|remove|list`: callers, or number prefixes, kept from restricting routes.
struct ExemptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exempt",
        abstract: "Keep callers (a register of vulnerable callers, a partner's switchboard) from restricting routes.",
        discussion: """
            An exempt caller is never routed to the routes named (default: the nuisance queue). Their \
            incidents are still recorded and the ladder still protects the agent. Every change is an \
            entry in the evidence record with its reason and your uid. Needs the admin role.
            """,
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Exempt a caller, or every number under a prefix (+44800*).")

        @OptionGroup var options: ConnectionOptions

        @Argument(help: "The caller as presented or normalised, or a prefix: '+', digits, '*' (quote it for the shell).")
        var target: String

        @Option(help: ArgumentHelp("Why: kept in the record (required).", valueName: "text"))
        var reason: String

        @Option(help: ArgumentHelp("When it lapses: RFC 3339, or a period from now (90d). Default: until removed.", valueName: "time"))
        var until: String?

        @Option(parsing: .upToNextOption, help: ArgumentHelp("Routes never given: nuisance (default), supervisor, or both.", valueName: "route"))
        var routes: [String] = []

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why; it is kept in the record") }
            if let until, HumanTime.parseUntil(until) == nil { throw ValidationError("--until must be RFC 3339 or a period such as 90d, no later than 9999") }
            for route in routes where RestrictedRoute(rawValue: route) == nil {
                throw ValidationError("--routes takes nuisance and/or supervisor, not '\(route)'")
            }
        }

        func execute() throws(ControlFailure) {
            let answer = try options.request("exempt.add") { writer in
                writer.field("target", target)
                writer.field("reason", reason)
                if let until, let seconds = HumanTime.parseUntil(until) { writer.field("until", EventTime.format(seconds)) }
                if !routes.isEmpty { writer.strings("routes", routes) }
            }
            guard !options.json else { return }
            let added: JSONValue? = answer["exemption"]
            let never = (added["routes"]?.array ?? []).map(\.text).joined(separator: " or ")
            let lapses = added["until"]?.string.map { " until \(HumanTime.when($0))" } ?? " until removed"
            Output.line("Exemption \(added["id"].text): \(added["target"].text) is never routed \(never)\(lapses). Recorded with the reason.")
        }
    }

    struct Remove: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "End an exemption (its id, from `exempt list`).")

        @OptionGroup var options: ConnectionOptions

        @Argument(help: "The exemption's id.")
        var exemption: Int64

        @Option(help: ArgumentHelp("Why: kept in the record (required).", valueName: "text"))
        var reason: String

        func validate() throws {
            guard exemption > 0 else { throw ValidationError("the exemption id is a positive number, from `exempt list`") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why; it is kept in the record") }
        }

        func execute() throws(ControlFailure) {
            let answer = try options.request("exempt.remove") { writer in
                writer.field("exemption", exemption)
                writer.field("reason", reason)
            }
            guard !options.json else { return }
            Output.line("Exemption \(exemption) for \(answer["exemption"]["target"].text) ended; its calls are routed by the policy again.")
        }
    }

    struct List: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Every exemption, lapsed ones too.")

        @OptionGroup var options: ConnectionOptions

        func execute() throws(ControlFailure) {
            let answer = try options.request("exempt.list") { _ in }
            guard !options.json else { return }
            let exemptions = answer["exemptions"]?.array ?? []
            guard !exemptions.isEmpty else {
                Output.line("No exemptions.")
                return
            }
            var table = TextTable([
                .init(title: "ID", rightAligned: true), .init(title: "TARGET"), .init(title: "NEVER"), .init(title: "UNTIL"),
                .init(title: "STATE"), .init(title: "BY"), .init(title: "REASON"),
            ])
            for exemption in exemptions {
                table.add([
                    exemption["id"].text, exemption["target"].text, (exemption["routes"]?.array ?? []).map(\.text).joined(separator: ","),
                    exemption["until"]?.string.map { HumanTime.when($0) } ?? "until removed",
                    exemption["active"]?.bool == false ? "lapsed" : "in force", exemption["by"].text, exemption["reason"].text,
                ])
            }
            for line in table.lines() { Output.line(line) }
        }
    }
}
