import ArgumentParser
import CallwardenProtocol
import Foundation

struct ReportCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "What the record says of a period: incidents, hang-ups, supervisors, forgiveness.",
        discussion: """
            Counts, from the record, what happened from --since (default 30d: the last 30 days) to now, \
            by when each entry says it happened: incidents by kind, by agent and by detection rule; \
            hang-up requests by answer and ladder rule; how often a supervisor was needed, their \
            verdicts with the approval rate and how long they took to answer (median and 90th \
            percentile, from the request to the verdict); incidents forgiven; exemptions and reviews; \
            recorded calls ended, by outcome and by who ended them. Routes are not counted: calls \
            offered are not recorded (status counts them since start-up). --format csv writes \
            section,name,value rows for a spreadsheet; --format json the daemon's answer. Needs the \
            admin role.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @OptionGroup var options: ConnectionOptions

    @Option(help: ArgumentHelp("The period's start: an age such as 30d, 12h or 1y, RFC 3339, seconds since 1970, or all.", valueName: "time"))
    var since: String = "30d"

    @Option(help: "table (for people), csv (for spreadsheets) or json (the daemon's answer).")
    var format: Format = .table

    func validate() throws {
        if since != "all", HumanTime.parseSince(since) == nil {
            throw ValidationError("--since must be an age such as 30d, 12h, 2w, RFC 3339, seconds since 1970, or all")
        }
    }

    func execute() throws(ControlFailure) {
        let start = since == "all" ? nil : HumanTime.parseSince(since)
        let answer = try options.request("report") { writer in
            if let start { writer.field("since", start) }
        }
        guard !options.json else { return }
        switch format {
        case .json: Output.line(answer.line)
        case .csv: Output.raw(ReportCSV.text(answer))
        case .table: ReportTable.print(answer)
        }
    }
}

/// The report as `section,name,value` rows (RFC 4180), every count the answer holds.
enum ReportCSV {
    static func text(_ answer: Answer) -> String {
        var rows: [(String, String, String)] = []
        func add(_ section: String, _ name: String?, _ value: JSONValue?) { rows.append((section, name ?? "", value.text == "-" ? "" : value.text)) }
        func list(_ section: String, _ value: JSONValue?, key: String) {
            for row in value?.array ?? [] { add(section, row[key]?.string, row["count"]) }
        }
        add("period", "since", answer["since"])
        add("period", "now", answer["now"])
        add("period", "entries", answer["entries"])
        let incidents = answer["incidents"]
        add("incidents", "total", incidents["total"])
        list("incidents_by_kind", incidents["by_kind"], key: "kind")
        list("incidents_by_agent", incidents["by_agent"], key: "agent")
        list("incidents_by_rule", incidents["by_rule"], key: "rule")
        for (name, value) in (incidents?.object ?? [:]).sorted(by: { $0.key < $1.key }) where name.hasSuffix("_others") {
            add("incidents", name, value)
        }
        let hangups = answer["hangups"]
        add("hangups", "requests", hangups["requests"])
        for (answerWord, count) in (hangups["by_answer"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            add("hangups_by_answer", answerWord, count)
        }
        for row in hangups["by_rule"]?.array ?? [] {
            add("hangups_\(row["answer"]?.string ?? "none")_by_rule", row["rule"]?.string, row["count"])
        }
        let supervisor = answer["supervisor"]
        for name in ["requests", "verdicts", "approve", "deny", "approval_rate", "timed_out"] { add("supervisor", name, supervisor[name]) }
        let times = supervisor["response_seconds"]
        add("supervisor", "answered", times["answered"])
        add("supervisor", "response_median_seconds", times["median"])
        add("supervisor", "response_p90_seconds", times["p90"])
        add("forgiveness", "incidents", answer["forgiveness"]["incidents"])
        add("exemptions", "added", answer["exemptions"]["added"])
        add("exemptions", "ended", answer["exemptions"]["ended"])
        add("reviews", "renew", answer["reviews"]["renew"])
        add("reviews", "end", answer["reviews"]["end"])
        let calls = answer["calls"]
        add("calls", "ended", calls["ended"])
        list("calls_by_outcome", calls["by_outcome"], key: "outcome")
        list("calls_by", calls["by"], key: "by")
        return (["section,name,value"] + rows.map { [cell($0.0), cell($0.1), cell($0.2)].joined(separator: ",") }).joined(separator: "\r\n") + "\r\n"
    }

    /// A cell quoted as RFC 4180 asks. Names come from the record (agent ids as a switch sent
    /// them): one starting with `=`, `+`, `-` or `@` is led by `'`, so that a spreadsheet shows
    /// it rather than running it as a formula.
    static func cell(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(text) == nil {
            text = "'" + text
        }
        return CSVExport.quoted(text)
    }
}

/// The report for people: each part in a line or a short table.
enum ReportTable {
    /// Rows shown per list; --format csv has them all.
    static let shownRows = 20

    static func print(_ answer: Answer) {
        let since = answer["since"]?.string.map { HumanTime.when($0) } ?? "the start of the record"
        Output.line("Report from \(since) to \(HumanTime.when(answer["now"]?.string)): \(count(answer["entries"], "entry", "entries")) read in \(answer["seconds"].text) s")
        let incidents = answer["incidents"]
        Output.line("")
        Output.line("Incidents: \(incidents["total"].text)")
        list(incidents["by_kind"], key: "kind", title: "KIND", none: "-", others: incidents["by_kind_others"])
        list(incidents["by_agent"], key: "agent", title: "AGENT", none: "(none given)", others: incidents["by_agent_others"])
        list(incidents["by_rule"], key: "rule", title: "DETECTION RULE", none: "-", others: incidents["by_rule_others"])
        Output.line("")
        Output.line("Routes: not counted. Calls offered are not recorded, only calls whose ladder began; status counts routes since start-up.")

        let hangups = answer["hangups"]
        let answers = hangups["by_answer"]
        Output.line("")
        Output.line("Hang-up requests: \(hangups["requests"].text) (authorised \(answers["authorised"].text), denied \(answers["denied"].text), supervisor required \(answers["supervisor_required"].text))")
        let rules = hangups["by_rule"]?.array ?? []
        if !rules.isEmpty {
            var table = TextTable([.init(title: "LADDER RULE", maximumWidth: 32), .init(title: "ANSWER"), .init(title: "COUNT", rightAligned: true)])
            for row in rules.prefix(shownRows) { table.add([row["rule"].text, row["answer"].text, row["count"].text]) }
            table.lines(indent: 2).forEach(Output.line)
            if rules.count > shownRows { Output.line("  ... \(rules.count - shownRows) more (--format csv lists them all)") }
        }

        let supervisor = answer["supervisor"]
        let times = supervisor["response_seconds"]
        Output.line("")
        var line = "Supervisors: needed \(count(supervisor["requests"], "time", "times")); \(count(supervisor["verdicts"], "verdict", "verdicts"))"
        if let rate = supervisor["approval_rate"]?.double {
            line += " (\(supervisor["approve"].text) approve, \(supervisor["deny"].text) deny: \(String(format: "%.0f", rate * 100))% approved)"
        }
        line += "; \(supervisor["timed_out"].text) hang-up(s) allowed because no supervisor answered in time"
        Output.line(line)
        if let median = times["median"]?.double, let p90 = times["p90"]?.double {
            Output.line("  time to answer: median \(HumanTime.duration(median)), 90% within \(HumanTime.duration(p90)) (\(times["answered"].text) answered)")
        }

        Output.line("")
        Output.line("Forgiveness: \(count(answer["forgiveness"]["incidents"], "incident", "incidents")) forgiven")
        Output.line("Exemptions: \(answer["exemptions"]["added"].text) added, \(answer["exemptions"]["ended"].text) ended")
        Output.line("Reviews: \(answer["reviews"]["renew"].text) renewed, \(answer["reviews"]["end"].text) ended")
        let calls = answer["calls"]
        Output.line("Recorded calls ended: \(calls["ended"].text)\(pairs(calls["by_outcome"], key: "outcome", none: "no outcome given"))")
        if let enders = calls["by"]?.array, !enders.isEmpty {
            Output.line("  ended by: " + enders.map { "\($0["by"]?.string ?? "not said") \($0["count"].text)" }.joined(separator: ", "))
        }
    }

    private static func list(_ value: JSONValue?, key: String, title: String, none: String, others: JSONValue?) {
        let rows = value?.array ?? []
        guard !rows.isEmpty else { return }
        var table = TextTable([.init(title: title, maximumWidth: 40), .init(title: "COUNT", rightAligned: true)])
        for row in rows.prefix(shownRows) { table.add([row[key]?.string ?? none, row["count"].text]) }
        table.lines(indent: 2).forEach(Output.line)
        if rows.count > shownRows { Output.line("  ... \(rows.count - shownRows) more (--format csv lists them all)") }
        if let others, others.int64 ?? 0 > 0 { Output.line("  ... and \(others.text) more beyond the names the report keeps apart") }
    }

    /// ` (resolved 3, abusive 2)`, or nothing for an empty list.
    private static func pairs(_ value: JSONValue?, key: String, none: String) -> String {
        let rows = value?.array ?? []
        guard !rows.isEmpty else { return "" }
        return " (" + rows.map { "\($0[key]?.string ?? none) \($0["count"].text)" }.joined(separator: ", ") + ")"
    }

    private static func count(_ value: JSONValue?, _ one: String, _ many: String) -> String {
        let number = value?.int64 ?? 0
        return "\(value.text) \(number == 1 ? one : many)"
    }
}
