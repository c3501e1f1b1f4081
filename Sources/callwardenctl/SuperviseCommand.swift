import ArgumentParser
import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `callwardenctl supervise`: the supervisor requests pending now, kept up to date as agents ask
/// and supervisors answer.
struct SuperviseCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise",
        abstract: "Watch supervisor requests live: who needs a verdict, and how long is left.",
        discussion: """
            Shows every pending supervisor request (an agent asked to end an abusive call and the \
            ladder needs a supervisor's verdict): the call, caller, agent, the caller's score and \
            incidents, and the time left before the ladder lets the agent end the call without one. \
            On a terminal the table is redrawn as requests come and go and as time passes; otherwise \
            each event is one plain line. Give a verdict with `callwardenctl approve CALL` or \
            `callwardenctl deny CALL --reason TEXT`. With --json, each line is the daemon's JSON line. \
            Needs the supervisor role (the callwarden-supervisor group) or admin.
            """)

    @OptionGroup var options: ConnectionOptions

    func execute() throws(ControlFailure) {
        let terminal = !options.json && isatty(STDOUT_FILENO) == 1
        var table = SupervisorTable()
        while true {
            let client = try subscribe()
            // A terminal redraws every second for the time left; otherwise events may be hours apart.
            client.setTimeout(terminal ? 1 : 0)
            if !terminal && !options.json { Output.error("following supervisor requests on \(client.path); interrupt to stop") }
            let resubscribe = try follow(client, table: &table, terminal: terminal)
            if !resubscribe { break }
        }
        throw ControlFailure(ExitStatus.unavailable, "callwardend closed the feed (stopped or restarted)")
    }

    private func subscribe() throws(ControlFailure) -> ControlClient {
        let client = try options.connect()
        let first = try client.request("supervise")
        if options.json { Output.line(first) }
        _ = try Answer(first)
        return client
    }

    /// Reads the feed until it ends (false) or lines were lost and a fresh snapshot is needed (true).
    private func follow(_ client: ControlClient, table: inout SupervisorTable, terminal: Bool) throws(ControlFailure) -> Bool {
        while true {
            switch try client.read() {
            case .closed:
                return false
            case .timedOut:
                if terminal { draw(table) }
            case .line(let line):
                if options.json { Output.line(line) }
                guard let event = try? JSONParser.parse(line) else { continue }
                let lost = event["event"]?.string == "dropped"
                table.apply(event)
                if terminal {
                    draw(table)
                } else if !options.json {
                    for text in SupervisorTable.plain(event, now: Date().timeIntervalSince1970) { Output.line(text) }
                }
                // Lines were lost: the table may be wrong; a new subscription starts with what is pending.
                if lost { return true }
            }
        }
    }

    private func draw(_ table: SupervisorTable) {
        let now = Date().timeIntervalSince1970
        let clock = SupervisorTable.clock(EventTime.format(now.rounded(.down)))
        var lines = ["callwarden: \(table.requests.count) supervisor request\(table.requests.count == 1 ? "" : "s") pending at \(clock) UTC", ""]
        lines += table.lines(now: now)
        lines.append("")
        if let last = table.lastChange { lines.append("  Last: \(last)") }
        lines.append("  callwardenctl approve CALL  |  callwardenctl deny CALL --reason TEXT  |  interrupt to stop")
        // Home the cursor and clear the screen, then the table: one write, no flicker of a half table.
        Output.raw("\u{1B}[H\u{1B}[2J" + lines.joined(separator: "\n") + "\n")
    }
}
