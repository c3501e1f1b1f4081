import ArgumentParser
import CallwardenProtocol
import Foundation

struct StatusCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether callwarden is serving, with its policy, record and traffic since start.",
        discussion: "Needs no role: anyone who can reach the socket may ask. Exits 69 if the daemon cannot be reached.")

    @OptionGroup var options: ConnectionOptions

    func execute() throws(ControlFailure) {
        let answer = try options.request("status")
        guard !options.json else { return }
        let policy = answer["policy"]
        let store = answer["store"]
        Output.line("callwarden is serving on \(options.socketPath), up \(HumanTime.duration(answer["uptime"]?.double ?? 0)).")
        Output.line("  policy  \(policy["name"].text) (\(policy["hash"].text)) from \(policy["path"].text)")
        Output.line("  record  \(store["path"].text), \(Self.bytes(store["bytes"]?.double ?? 0))")
        Output.line("          \(store["callers"].text) callers with a history, \(store["incidents"].text) incidents on record")
        if store["state"]?.string == "degraded" {
            Output.line("          DEGRADED since \(store["degraded_since"].text): the record cannot be written; \(store["refused_writes"].text) write(s) refused, routing from memory (see the journal)")
        }
        Output.line("  calls   \(answer["open_calls"].text) open")
        Output.line("  routes  " + Self.pairs(answer["routes"]))
        // Shadow rules decide nothing; what they would have decided is how an operator judges them.
        if let shadow = answer["shadow"]?.object, !shadow.isEmpty {
            Output.line("  shadow  " + Self.pairs(answer["shadow"]) + " (held, not acted on)")
        }
        if let exemptions = answer["exemptions"]?.int64, exemptions > 0 {
            Output.line("  exempt  \(exemptions) exemption\(exemptions == 1 ? "" : "s") in force")
        }
        Output.line("  requests " + Self.pairs(answer["requests"]))
        if let errors = answer["errors"]?.object, !errors.isEmpty {
            Output.line("  errors  " + Self.pairs(answer["errors"]))
        }
        let alerts = answer["alerts"]
        if alerts?.object != nil {
            var line = "  alerts  \(alerts["ran"].text) run, \(alerts["running"].text) running, \(alerts["waiting"].text) waiting"
            if (alerts["dropped"]?.double ?? 0) > 0 { line += ", \(alerts["dropped"].text) NOT RUN (queue full; see the journal)" }
            Output.line(line)
        }
    }

    static func pairs(_ value: JSONValue?) -> String {
        guard let object = value?.object, !object.isEmpty else { return "none yet" }
        return object.keys.sorted().map { "\($0) \(object[$0].text)" }.joined(separator: ", ")
    }

    static func bytes(_ count: Double) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB"]
        var value = count
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }
}
