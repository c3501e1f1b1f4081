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
        let callers = store["callers"]?.int64 ?? 0, incidents = store["incidents"]?.int64 ?? 0
        Output.line("          \(HistoryCommand.count(callers, "caller")) with a history, \(HistoryCommand.count(incidents, "incident")) on record")
        if store["state"]?.string == "degraded" {
            Output.line("          DEGRADED since \(store["degraded_since"].text): the record cannot be written; \(store["refused_writes"].text) write(s) refused, routing from memory (see the journal)")
        }
        if let shared = answer["shared_record"], shared.object != nil { Self.describe(shared: shared) }
        Output.line("  calls   \(answer["open_calls"].text) open")
        Output.line("  routes  " + Self.pairs(answer["routes"]))
        Output.line("  requests " + Self.pairs(answer["requests"]))
        if let errors = answer["errors"]?.object, !errors.isEmpty {
            Output.line("  errors  " + Self.pairs(answer["errors"]))
        }
        if let shadow = answer["shadow"]?.object, !shadow.isEmpty {
            Output.line("  shadow  " + Self.pairs(answer["shadow"]) + " (matches of shadow rules; they decide nothing)")
        }
        if let exemptions = answer["exemptions"]?.int64, exemptions > 0 {
            Output.line("  exempt  \(exemptions) \(exemptions == 1 ? "exemption" : "exemptions") in force (callwardenctl exempt list)")
        }
        let alerts = answer["alerts"]
        if alerts?.object != nil {
            var line = "  alerts  \(alerts["ran"].text) run, \(alerts["running"].text) running, \(alerts["waiting"].text) waiting"
            if (alerts["dropped"]?.double ?? 0) > 0 { line += ", \(alerts["dropped"].text) NOT RUN (queue full; see the journal)" }
            Output.line(line)
        }
    }

    /// A node of a cluster: where the shared record is and whether this node's writes reach it.
    static func describe(shared: JSONValue) {
        Output.line("  shared  \(shared["address"].text), as node \(shared["node"].text)")
        if shared["state"]?.string == "unreachable" {
            let writes = shared["spool"]?.bool == false ? "writes refused" : "writes spooled in the local record"
            Output.line("          UNREACHABLE since \(shared["unreachable_since"].text) (\(shared["reason"].text)): \(writes), routing from memory (see the journal)")
        } else {
            Output.line("          connected; writes acknowledged once committed there")
        }
        let committed = shared["committed_through"]?.int64 ?? 0, shipped = shared["shipped_through"]?.int64 ?? 0
        if committed > shipped {
            Output.line("          own entries after \(shipped) through \(committed) still to ship")
        }
        let peers = shared["peer_entries"]?.int64 ?? 0
        Output.line("          \(peers) \(peers == 1 ? "entry" : "entries") from other nodes taken in since start")
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
