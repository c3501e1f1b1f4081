import CallwardenProtocol
import Foundation

/// One line of the live feed as a person reads it: time, event, and what was decided.
enum FeedRenderer {
    /// The width of the event column: `supervisor.answered`, the longest type the feed carries.
    static let width = 19

    static func render(_ event: JSONValue) -> String {
        let type = event["event"]?.string ?? "?"
        let request = event["request"]
        let answer = event["answer"]
        let time = event["at"]?.string.map { String($0.dropFirst(11).prefix(8)) } ?? "--:--:--"
        let call = request["call"]?.string.map { " call \($0)" } ?? ""
        let text: String
        switch type {
        case "call.offered":
            text = "\((answer["caller"] ?? request["caller"]).text)\(call) -> \(answer["route"].text) (queue \(answer["queue"].text), rule \(answer["rule"].text))"
        case "abuse":
            var line = "incident \(answer["incident"].text): \(request["kind"].text)"
            if let caller = (answer["caller"] ?? request["caller"])?.string { line += " by \(caller)" }
            line += call
            if let agent = request["agent"]?.string { line += " against \(agent)" }
            line += ", score now \(HumanTime.number(answer["standing"]["score"]))"
            if answer["hangup"]?.string == "authorised" { line += "; hang-up authorised" }
            if answer["alert"]?.bool == true { line += "; ALERT" }
            text = line
        case "warning":
            text = "warning given\(call)" + (request["agent"]?.string.map { " by \($0)" } ?? "")
        case "supervisor":
            text = "supervisor \(request["verdict"].text)\(call)" + (request["supervisor"]?.string.map { " (\($0))" } ?? "")
        case "hangup.request":
            text = "hang-up\(call): \(answer["hangup"].text) by rule \(answer["rule"].text)" + (answer["reason"]?.string.map { ": \($0)" } ?? "")
        case "call.ended":
            var line = "ended\(call)"
            if let by = request["by"]?.string { line += " by \(by)" }
            if let outcome = request["outcome"]?.string { line += ", \(outcome)" }
            if let detected = answer["detected"]?.array, !detected.isEmpty {
                line += "; detected incident " + detected.map { $0["incident"].text }.joined(separator: ", ")
            }
            text = line
        case "forgive":
            let ids = (answer["forgiven"]?.array ?? []).map { $0["incident"].text }
            text = "forgave \(answer["caller"].text): incident \(ids.isEmpty ? "none" : ids.joined(separator: ", ")): \(request["reason"].text)"
        case "exempt.add":
            let exemption = answer["exemption"]
            let routes = (exemption["routes"]?.array ?? []).map(\.text).joined(separator: " or ")
            let lapses = exemption["until"]?.string.map { " until \(HumanTime.when($0))" } ?? ""
            text = "exemption \(exemption["id"].text): \(exemption["target"].text) never routed \(routes)\(lapses): \(request["reason"].text)"
        case "exempt.remove":
            text = "exemption \(answer["exemption"]["id"].text) for \(answer["exemption"]["target"].text) ended: \(request["reason"].text)"
        case "review.renew", "review.end":
            let done = type == "review.renew" ? "renewed" : "ended"
            text = "restriction of \(answer["caller"].text) \(done): \(request["reason"].text); now routed \(answer["route_now"].text)"
        case "reload":
            text = "policy \(answer["policy"]["name"].text) (\(answer["policy"]["hash"].text)) loaded"
        case "purge":
            text = "purged \(answer["purged"]?.array?.count ?? 0) entries (\(answer["incidents"].text) incidents) under retention"
        case "agent.welfare":
            let notice = event["notice"]
            text = "agent \(notice["agent"].text): rule \(notice["rule"].text) (\(PolicyTestReport.count(notice["calls"], "abusive call")) within \(HumanTime.duration(notice["within"]?.double ?? 0))): \(notice["say"].text)"
        case "supervisor.needed", "supervisor.answered", "supervisor.timeout":
            text = SupervisorTable.summary(event, now: Date().timeIntervalSince1970)
        case "dropped":
            text = "!! \(event["count"].text) events skipped: this terminal fell behind"
        default:
            text = answer.map { var line = ""; JSONWriter.append($0, to: &line); return line } ?? ""
        }
        // Padded to the longest type the feed carries, never cut (`hangup.request` stays whole).
        let column = type.count < width ? type.padding(toLength: width, withPad: " ", startingAt: 0) : type
        return "\(time)  \(column) \(text)"
    }
}
