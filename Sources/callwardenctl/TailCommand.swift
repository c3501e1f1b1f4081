import ArgumentParser
import CallwardenProtocol
import Foundation

struct TailCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow decisions and incidents live, one line each, until interrupted.",
        discussion: """
            Shows every routing decision, incident, ladder step, hang-up answer, forgiveness, reload \
            and purge as the daemon answers it. The daemon never waits for a slow follower: if this \
            terminal falls more than about a thousand events behind, the missed ones are skipped and a \
            line says how many. With --json, each event is the daemon's JSON line. Needs the admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    @Option(help: ArgumentHelp("Stop after this many events (default: follow until interrupted).", valueName: "n"))
    var count: Int?

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func execute() throws(ControlFailure) {
        let client = try options.connect()
        let first = try client.request("tail")
        if options.json { Output.line(first) }
        _ = try Answer(first)
        // Events may be hours apart: wait for ever.
        client.setTimeout(0)
        if !options.json { Output.error("following \(client.path); interrupt to stop") }
        var shown = 0
        while let line = try client.readLine() {
            if options.json {
                Output.line(line)
            } else if let event = try? JSONParser.parse(line) {
                Output.line(FeedRenderer.render(event))
            }
            shown += 1
            if let count, shown >= count { return }
        }
        throw ControlFailure(ExitStatus.unavailable, "callwardend closed the feed (stopped or restarted)")
    }
}
