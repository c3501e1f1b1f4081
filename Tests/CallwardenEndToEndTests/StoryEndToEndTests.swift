import Foundation
import Testing

/// Event times a little in the past, so that nothing has faded and no call is older than the
/// policy's maximum call length, yet no test waits for a vent time to pass.
private let base = (Date().timeIntervalSince1970 - 8000).rounded(.down)
private func t(_ offset: Double) -> Double { base + offset }

/// The call's story in `history`, and `report`, against the real daemon and record.
@Suite("The call's story and the report, end to end")
struct StoryEndToEndTests {
    static let callerA = "+447700900101"
    static let callerB = "+447700900102"
    static let callerC = "+447700900103"
    static let callerD = "+447700900104"
    static let callerE = "+447700900105"

    /// Sends each request and expects it answered ok; returns the answers.
    @discardableResult
    static func send(_ client: LineClient, _ requests: [[String: Any]]) throws -> [[String: Any]] {
        try requests.map { request in
            let answer = try client.request(request)
            #expect(answer.ok, "\(request) -> \(answer)")
            return answer
        }
    }

    /// A call that climbs the whole ladder: venting, a warning, a supervisor who approves after
    /// `response` seconds, the hang-up authorised, the end.
    @discardableResult
    static func approvedCall(_ client: LineClient, call: String, caller: String, at start: Double, response: Double) throws -> [[String: Any]] {
        try send(client, [
            ["type": "call.offered", "call": call, "caller": caller, "at": start],
            ["type": "abuse", "call": call, "kind": "verbal", "agent": "a1", "at": start + 10],
            ["type": "hangup.request", "call": call, "agent": "a1", "at": start + 30],
            ["type": "warning", "call": call, "agent": "a1", "at": start + 80],
            ["type": "abuse", "call": call, "kind": "verbal", "agent": "a1", "at": start + 90],
            ["type": "hangup.request", "call": call, "agent": "a1", "at": start + 91],
            ["type": "hangup.request", "call": call, "agent": "a1", "at": start + 93],
            ["type": "supervisor", "call": call, "verdict": "approve", "supervisor": "s1", "at": start + 91 + response],
            ["type": "hangup.request", "call": call, "agent": "a1", "at": start + 92 + response],
            ["type": "call.ended", "call": call, "by": "agent", "outcome": "abusive", "at": start + 93 + response],
        ])
    }

    /// The scripted record the report is checked against (see `report` for what it counts).
    static func script(_ daemon: Daemon) throws {
        let client = try daemon.client()
        // Before the period: not counted unless the whole record is asked for.
        try send(client, [["type": "abuse", "caller": callerA, "kind": "verbal", "agent": "a9", "at": t(-86_400)]])
        let asked = try approvedCall(client, call: "c1", caller: callerA, at: t(1000), response: 10)
        #expect(asked.map { $0.string("hangup") } == [nil, nil, "denied", nil, nil, "supervisor_required", "supervisor_required", nil, "authorised", nil])
        try send(client, [
            ["type": "call.offered", "call": "c2", "caller": callerB, "at": t(2000)],
            ["type": "abuse", "call": "c2", "kind": "threat", "agent": "a2", "at": t(2010)],
            ["type": "warning", "call": "c2", "agent": "a2", "at": t(2080)],
            ["type": "abuse", "call": "c2", "kind": "verbal", "agent": "a2", "at": t(2090)],
            ["type": "hangup.request", "call": "c2", "agent": "a2", "at": t(2091)],
            ["type": "supervisor", "call": "c2", "verdict": "deny", "supervisor": "s2", "at": t(2121)],
            ["type": "hangup.request", "call": "c2", "agent": "a2", "at": t(2122)],
            ["type": "call.ended", "call": "c2", "by": "caller", "outcome": "unresolved", "at": t(2130)],
        ])
        try approvedCall(client, call: "c3", caller: callerA, at: t(3000), response: 60)
        // No abuse: the hang-up is refused, and the call is told too.
        try send(client, [
            ["type": "call.offered", "call": "c4", "caller": callerC, "at": t(4000)],
            ["type": "hangup.request", "call": "c4", "agent": "a4", "at": t(4010)],
            ["type": "call.ended", "call": "c4", "by": "caller", "outcome": "resolved", "at": t(4020)],
        ])
        // Five short calls ended by the agent: nuisance detection records an incident by its rule.
        for index in 0..<5 {
            let offset = 5000 + Double(index) * 20
            try send(client, [
                ["type": "call.offered", "call": "d\(index)", "caller": callerD, "at": t(offset)],
                ["type": "call.ended", "call": "d\(index)", "by": "agent", "at": t(offset + 5)],
            ])
        }
        try send(client, [
            ["type": "abuse", "caller": callerE, "kind": "physical_threat", "agent": "a3", "at": t(6000)],
            ["type": "forgive", "caller": callerB, "reason": "apologised in writing"],
            ["type": "review.renew", "caller": callerA, "reason": "still abusive"],
            ["type": "review.end", "caller": callerE, "reason": "police dealt with it"],
        ])
        let exempted = try send(client, [["type": "exempt.add", "target": callerC, "reason": "carer"]])
        let exemption = (exempted.first?["exemption"] as? [String: Any])?["id"] as? Int ?? 0
        try send(client, [["type": "exempt.remove", "exemption": exemption, "reason": "no longer needed"]])
    }

    static func steps(_ call: [String: Any]?) -> [[String: Any]] { call?["steps"] as? [[String: Any]] ?? [] }

    @Test("history tells each call's steps in order, with times, agents and supervisors, after a restart")
    func storyAfterRestart() throws {
        let daemon = try Daemon().start()
        try Self.script(daemon)
        #expect(daemon.stop() == 0)
        try daemon.start()

        let history = try daemon.request(["type": "history", "caller": Self.callerA])
        #expect(history.ok, "\(history)")
        let calls = history["calls"] as? [[String: Any]] ?? []
        #expect(calls.compactMap { $0["call"] as? String } == ["c1", "c3"])
        let c1 = Self.steps(calls.first)
        #expect(c1.compactMap { $0["type"] as? String } == [
            "offered", "abuse", "hangup_request", "warning", "abuse", "hangup_request", "hangup_request", "verdict", "hangup_request", "end",
        ])
        #expect(c1.compactMap { $0["at"] as? String }.count == 10)
        let entries = c1.compactMap { $0["entry"] as? Int }
        #expect(entries == entries.sorted() && Set(entries).count == 10)
        #expect(c1[1]["kind"] as? String == "verbal" && c1[1]["agent"] as? String == "a1")
        #expect(c1[2]["outcome"] as? String == "denied" && c1[2]["rule"] as? String == "vent")
        #expect(c1[3]["agent"] as? String == "a1")
        #expect(c1[5]["outcome"] as? String == "supervisor_required" && c1[5]["rule"] as? String == "supervisor-required")
        #expect(c1[7]["outcome"] as? String == "approve" && c1[7]["supervisor"] as? String == "s1")
        #expect(c1[8]["outcome"] as? String == "authorised" && c1[8]["rule"] as? String == "supervisor-approved")
        #expect(c1[9]["outcome"] as? String == "abusive" && c1[9]["by"] as? String == "agent")
        // The offer's time is the call's own, before its first abuse.
        #expect(c1.first?["at"] as? String == Self.rfc3339(t(1000)))

        // A call with no incident is told on the page of its caller's history too.
        let calm = try daemon.request(["type": "history", "caller": Self.callerC])
        let c4 = Self.steps((calm["calls"] as? [[String: Any]])?.first)
        #expect(c4.compactMap { $0["type"] as? String } == ["offered", "hangup_request", "end"])
        #expect(c4[1]["rule"] as? String == "no-abuse" && c4[1]["agent"] as? String == "a4")

        let table = try Command.ctl(daemon, ["history", Self.callerA])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("call c1") && table.stdout.contains("call c3"))
        #expect(table.stdout.contains("supervisor_required (supervisor-required)"))
        #expect(table.stdout.contains("approve") && table.stdout.contains("s1"))
        let lines = table.stdout.split(separator: "\n")
        let order = ["offered", "abuse", "hang-up request", "warning", "verdict", "end"].map { word in
            lines.firstIndex { $0.contains("  \(word)  ") } ?? -1
        }
        #expect(order == order.sorted() && !order.contains(-1), "\(table.stdout)")
    }

    @Test("Each call is on the page where it begins; with at, later steps are left out")
    func storyPaging() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        try Self.approvedCall(client, call: "p1", caller: Self.callerA, at: t(1000), response: 10)
        try Self.approvedCall(client, call: "p2", caller: Self.callerA, at: t(3000), response: 10)
        let first = try client.request(["type": "history", "caller": Self.callerA, "limit": 2])
        #expect((first["calls"] as? [[String: Any]])?.compactMap { $0["call"] as? String } == ["p1"])
        let next = first["next"] as? Int
        #expect(next != nil)
        let second = try client.request(["type": "history", "caller": Self.callerA, "limit": 2, "after": next ?? 0])
        #expect((second["calls"] as? [[String: Any]])?.compactMap { $0["call"] as? String } == ["p2"])
        #expect(second["next"] is NSNull)

        let then = try client.request(["type": "history", "caller": Self.callerA, "at": t(1095)])
        let calls = then["calls"] as? [[String: Any]] ?? []
        #expect(calls.compactMap { $0["call"] as? String } == ["p1"])
        #expect(Self.steps(calls.first).compactMap { $0["type"] as? String } == [
            "offered", "abuse", "hangup_request", "warning", "abuse", "hangup_request", "hangup_request",
        ])
    }

    @Test("report counts match the scripted record: incidents, hang-ups, supervisors, forgiveness, exemptions, reviews, calls")
    func report() throws {
        let daemon = try Daemon().start()
        try Self.script(daemon)
        let report = try daemon.request(["type": "report", "since": t(0)])
        #expect(report.ok, "\(report)")
        let incidents = report["incidents"] as? [String: Any] ?? [:]
        #expect(incidents["total"] as? Int == 8)
        #expect(Self.counts(incidents["by_kind"], "kind") == ["verbal": 5, "threat": 1, "nuisance": 1, "physical_threat": 1])
        #expect(Self.counts(incidents["by_agent"], "agent") == ["a1": 4, "a2": 2, "a3": 1, "system": 1])
        #expect(Self.counts(incidents["by_rule"], "rule") == ["repeated-short-calls": 1])
        #expect((report["routes"] as? [String: Any])?["counted"] as? Bool == false)

        let hangups = report["hangups"] as? [String: Any] ?? [:]
        #expect(hangups["requests"] as? Int == 11)
        #expect(hangups["by_answer"] as? [String: Int] == ["authorised": 2, "denied": 4, "supervisor_required": 5])
        let rules = (hangups["by_rule"] as? [[String: Any]] ?? []).map { "\($0["rule"] ?? "")/\($0["answer"] ?? "")=\($0["count"] ?? "")" }
        #expect(Set(rules) == [
            "supervisor-required/supervisor_required=5", "vent/denied=2", "supervisor-approved/authorised=2", "supervisor-denied/denied=1",
            "no-abuse/denied=1",
        ])

        let supervisor = report["supervisor"] as? [String: Any] ?? [:]
        #expect(supervisor["requests"] as? Int == 3)
        #expect(supervisor["verdicts"] as? Int == 3 && supervisor["approve"] as? Int == 2 && supervisor["deny"] as? Int == 1)
        #expect(supervisor["approval_rate"] as? Double == 0.6667)
        #expect(supervisor["timed_out"] as? Int == 0)
        // From the first request to the verdict: 10 s, 30 s and 60 s.
        let times = supervisor["response_seconds"] as? [String: Any] ?? [:]
        #expect(times["answered"] as? Int == 3 && times["median"] as? Double == 30 && times["p90"] as? Double == 60)

        #expect((report["forgiveness"] as? [String: Any])?["incidents"] as? Int == 2)
        #expect(report["exemptions"] as? [String: Int] == ["added": 1, "ended": 1])
        #expect(report["reviews"] as? [String: Int] == ["renew": 1, "end": 1])
        let calls = report["calls"] as? [String: Any] ?? [:]
        #expect(calls["ended"] as? Int == 4)
        #expect(Self.counts(calls["by_outcome"], "outcome") == ["abusive": 2, "unresolved": 1, "resolved": 1])
        #expect(Self.counts(calls["by"], "by") == ["agent": 2, "caller": 2])

        let whole = try daemon.request(["type": "report"])
        #expect((whole["incidents"] as? [String: Any])?["total"] as? Int == 9)
        #expect(whole["since"] is NSNull)
        #expect(try daemon.request(["type": "report", "since": "yesterday"]).errorCode == "bad_request")
    }

    @Test("callwardenctl report writes the table, CSV rows and the daemon's JSON")
    func reportFormats() throws {
        let daemon = try Daemon().start()
        try Self.script(daemon)
        let since = String(t(0))

        let csv = try Command.ctl(daemon, ["report", "--since", since, "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = Set(csv.stdout.components(separatedBy: "\r\n"))
        #expect(csv.stdout.hasPrefix("section,name,value\r\n"))
        for row in [
            "incidents,total,8", "incidents_by_kind,verbal,5", "incidents_by_agent,a1,4", "incidents_by_rule,repeated-short-calls,1",
            "hangups_by_answer,supervisor_required,5", "hangups_supervisor_required_by_rule,supervisor-required,5",
            "supervisor,approval_rate,0.6667", "supervisor,response_median_seconds,30", "supervisor,response_p90_seconds,60",
            "forgiveness,incidents,2", "exemptions,added,1", "reviews,end,1", "calls_by_outcome,abusive,2",
        ] {
            #expect(rows.contains(row), "\(row) in\n\(csv.stdout)")
        }

        let json = try Command.ctl(daemon, ["report", "--since", since, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["incidents"] as? [String: Any])?["total"] as? Int == 8)

        let table = try Command.ctl(daemon, ["report", "--since", since])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("Incidents: 8"))
        #expect(table.stdout.contains("Hang-up requests: 11 (authorised 2, denied 4, supervisor required 5)"))
        #expect(table.stdout.contains("67% approved"))
        #expect(table.stdout.contains("median 30s, 90% within 1m"))
        #expect(table.stdout.contains("Routes: not counted"))

        let wrong = try Command.ctl(daemon, ["report", "--since", "last tuesday"])
        #expect(wrong.status == 64)
    }

    @Test("A CSV cell a spreadsheet would run as a formula is led by a quote")
    func formulaCell() throws {
        let daemon = try Daemon().start()
        try Self.send(daemon.client(), [["type": "abuse", "caller": Self.callerA, "kind": "verbal", "agent": "=HYPERLINK(\"x\")"]])
        let csv = try Command.ctl(daemon, ["report", "--format", "csv"])
        #expect(csv.stdout.contains("incidents_by_agent,\"'=HYPERLINK(\"\"x\"\")\",1"), "\(csv.stdout)")
    }

    static func counts(_ value: Any?, _ key: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in value as? [[String: Any]] ?? [] {
            counts[row[key] as? String ?? "-"] = row["count"] as? Int
        }
        return counts
    }

    static func rfc3339(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
