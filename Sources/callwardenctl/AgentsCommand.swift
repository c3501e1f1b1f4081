import ArgumentParser
import CallwardenProtocol
import Foundation

/// `callwardenctl agents`: how the agents are faring, from the incidents they took.
struct AgentsCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "Show each agent's abusive calls in the last hour and day, threats, and last incident.",
        discussion: """
            One row per agent who took an incident lately (agents are the switch's ids; callwarden \
            keeps nothing else about them), the most recently abused first. A call with several \
            incidents counts once; THREATS counts incidents of threatening kinds in the last day. The \
            policy's welfare rules raise agent.welfare events from the same counts (see `tail`). \
            Needs the supervisor (or admin) role.
            """)

    @OptionGroup var options: ConnectionOptions

    @Option(help: ArgumentHelp("Count as of this time: RFC 3339 or seconds since 1970 (default: now).", valueName: "time"))
    var at: String?

    func validate() throws {
        if let at, Double(at) == nil, EventTime.parse(at) == nil {
            throw ValidationError("--at must be RFC 3339 (2026-11-23T16:05:00Z) or seconds since 1970")
        }
    }

    func execute() throws(ControlFailure) {
        let answer = try options.request("agents") { writer in
            if let at { if let seconds = Double(at) { writer.field("at", seconds) } else { writer.field("at", at) } }
        }
        guard !options.json else { return }
        let agents = answer["agents"]?.array ?? []
        guard !agents.isEmpty else {
            Output.line("No agent has taken an incident lately.")
            return
        }
        var table = TextTable([
            .init(title: "AGENT"), .init(title: "LAST HOUR", rightAligned: true), .init(title: "LAST DAY", rightAligned: true),
            .init(title: "THREATS", rightAligned: true), .init(title: "LAST INCIDENT"), .init(title: "AGO"),
        ])
        for agent in agents {
            table.add([
                agent["agent"].text, agent["last_hour"].text, agent["last_day"].text, agent["threats"].text,
                HumanTime.when(agent["last_incident"]?.string), HumanTime.age(agent["last_incident"]?.string),
            ])
        }
        table.lines().forEach(Output.line)
    }
}
