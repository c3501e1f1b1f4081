import CallwardenProtocol
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Agents looked after and the agent's words, through the real daemon: `agent.welfare` on the
/// feed, in the journal and through the alert command; `agents`; `say` on ladder answers.
@Suite("Agents looked after, end to end")
struct WelfareEndToEndTests {
    /// The `agent.welfare` MESSAGE_ID (docs/systemd.md).
    static let welfareMessageID = "7c3e91a4f0d84b6e9a25d1c8b4f06e37"

    static func json(_ line: String?) -> [String: Any] {
        guard let line else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    /// Polls until `done` holds, with a generous deadline as a guard only.
    static func eventually(_ done: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try done() { return true }
            usleep(20_000)
        }
        return false
    }

    @Test("A threat to an agent raises exactly one agent.welfare event with the rule: on the feed, in the log and through the alert command")
    func threatRaisesOneEvent() throws {
        let daemon = try Daemon()
        let output = daemon.directory.appendingPathComponent("alerts").path
        let script = daemon.directory.appendingPathComponent("tell-supervisor").path
        let command = try AlertScript.write("echo \"$CALLWARDEN_EVENT $CALLWARDEN_AGENT $CALLWARDEN_RULE\" >> '\(output)'\n", to: script)
        try daemon.usePolicy(try Daemon.shippedPolicyText() + "\nalert:\n  command: \(command)\n")
        try daemon.start()
        let feed = try daemon.client()
        #expect(try feed.request(["type": "tail"]).ok)
        let client = try daemon.client()
        #expect(try client.request(["type": "call.offered", "call": "w1", "caller": "+447700900701"]).ok)
        #expect(try client.request(["type": "abuse", "call": "w1", "kind": "threat", "agent": "ag-7"]).ok)
        // More abuse in the same call: neither rule speaks again.
        #expect(try client.request(["type": "abuse", "call": "w1", "kind": "verbal", "agent": "ag-7"]).ok)
        #expect(try client.request(["type": "abuse", "call": "w1", "kind": "threat", "agent": "ag-7"]).ok)
        #expect(try client.request(["type": "call.ended", "call": "w1", "by": "agent"]).ok)

        var welfare: [[String: Any]] = []
        while let line = try feed.readLine() {
            let event = Self.json(line)
            if event.string("event") == "agent.welfare" { welfare.append(event["notice"] as? [String: Any] ?? [:]) }
            if event.string("event") == "call.ended" { break }
        }
        #expect(welfare.count == 1)
        let notice = try #require(welfare.first)
        #expect(notice.string("rule") == "threat-debrief")
        #expect(notice.string("agent") == "ag-7")
        #expect(notice.string("kind") == "threat")
        #expect(notice.string("say")?.hasPrefix("A caller threatened this agent") == true)
        #expect((notice["counters"] as? [String: Any])?.int("threats") == 1)

        #expect(Self.eventually { daemon.log.contains("message_id=\(Self.welfareMessageID)") })
        #expect(daemon.log.components(separatedBy: "message_id=\(Self.welfareMessageID)").count - 1 == 1)
        #expect(daemon.log.contains("rule=threat-debrief"))
        #expect(Self.eventually { ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("\n") })
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "agent.welfare ag-7 threat-debrief\n")
    }

    @Test("The agents' counters match a scripted sequence of events, in the request and callwardenctl agents, and survive a restart")
    func countersFromAScript() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        let asOf = (Date().timeIntervalSince1970 - 100).rounded(.down)
        func abuse(_ kind: String, agent: String?, call: String?, hoursBefore: Double) throws {
            var event: [String: Any] = ["type": "abuse", "caller": "+447700900702", "kind": kind, "at": asOf - hoursBefore * 3600]
            if let agent { event["agent"] = agent }
            if let call { event["call"] = call }
            #expect(try client.request(event).ok)
        }
        try abuse("verbal", agent: "ag-1", call: "s1", hoursBefore: 26)
        try abuse("threat", agent: "ag-1", call: "s2", hoursBefore: 5)
        try abuse("verbal", agent: "ag-1", call: "s3", hoursBefore: 0.7)
        try abuse("verbal", agent: "ag-1", call: "s3", hoursBefore: 0.6)
        try abuse("nuisance", agent: "ag-1", call: "s4", hoursBefore: 0.2)
        try abuse("verbal", agent: "ag-2", call: nil, hoursBefore: 2)
        try abuse("verbal", agent: nil, call: "s5", hoursBefore: 0.1)
        try abuse("verbal", agent: "system", call: "s6", hoursBefore: 0.1)
        let expected: [[String: Any]] = [
            ["agent": "ag-1", "last_hour": 2, "last_day": 3, "threats": 1, "last_incident": EventTime.format(asOf - 0.2 * 3600)],
            ["agent": "ag-2", "last_hour": 0, "last_day": 1, "threats": 0, "last_incident": EventTime.format(asOf - 2 * 3600)],
        ]
        func check(_ answer: [String: Any]) {
            let agents = answer["agents"] as? [[String: Any]] ?? []
            #expect(agents.count == expected.count, "\(agents)")
            for (got, want) in zip(agents, expected) {
                #expect(got.string("agent") == want["agent"] as? String)
                for key in ["last_hour", "last_day", "threats"] { #expect(got.int(key) == want[key] as? Int, "\(key) of \(want["agent"]!)") }
                #expect(got.string("last_incident") == want["last_incident"] as? String)
            }
        }
        check(try client.request(["type": "agents", "at": asOf]))

        daemon.stop()
        try daemon.start()
        let afterRestart = try Command.ctl(daemon, ["agents", "--at", String(asOf), "--json"])
        #expect(afterRestart.status == 0, "\(afterRestart.stderr)")
        check(Self.json(afterRestart.stdout.split(separator: "\n").first.map(String.init)))
        let table = try Command.ctl(daemon, ["agents", "--at", String(asOf)])
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first?.prefix(5) == ["AGENT", "LAST", "HOUR", "LAST", "DAY"])
        #expect(rows.dropFirst().first?.prefix(4) == ["ag-1", "2", "3", "1"])
        #expect(rows.dropFirst(2).first?.prefix(4) == ["ag-2", "0", "1", "0"])
    }

    @Test("A policy with its own warning script changes what the ladder answers say; a kind's own words win; explain shows them")
    func wordsFromThePolicy() throws {
        let daemon = try Daemon()
        let shipped = try Daemon.shippedPolicyText()
        let warning = "Please stop swearing at me, or I will end this call."
        var text = shipped.replacingOccurrences(
            of: #"  warning: "I want to help you, but I can't carry on if you keep speaking to me like this. If it goes on, I will end this call.""#,
            with: "  warning: \"\(warning)\"")
        text = text.replacingOccurrences(
            of: #"  end_call: "Thank you for your call. I'm ending the call now.""#, with: #"  end_call: "Thanks for calling; goodbye.""#)
        #expect(text.contains(warning) && text.contains("goodbye"))
        try daemon.usePolicy(text)
        try daemon.start()
        let client = try daemon.client()
        let base = (Date().timeIntervalSince1970 - 2000).rounded(.down)

        #expect(try client.request(["type": "call.offered", "call": "v1", "caller": "+447700900703", "at": base]).ok)
        #expect(try client.request(["type": "abuse", "call": "v1", "kind": "verbal", "agent": "a1", "at": base + 10]).ok)
        let warn = try client.request(["type": "hangup.request", "call": "v1", "agent": "a1", "at": base + 71])
        #expect(warn.string("rule") == "warning-required")
        #expect(warn.string("say") == warning)
        let venting = try client.request(["type": "hangup.request", "call": "v1", "agent": "a1", "at": base + 20])
        #expect(venting.string("rule") == "vent" && venting["say"] == nil)

        #expect(try client.request(["type": "call.offered", "call": "v2", "caller": "+447700900704", "at": base]).ok)
        let threat = try client.request(["type": "abuse", "call": "v2", "kind": "physical_threat", "agent": "a2", "at": base + 5])
        #expect(threat.string("hangup") == "authorised")
        #expect(threat.string("say")?.hasPrefix("Step away from your desk") == true)
        let end = try client.request(["type": "hangup.request", "call": "v2", "agent": "a2", "at": base + 6])
        #expect(end.string("rule") == "immediate")
        #expect(end.string("say") == "Excuse me.")

        let explain = try client.request(["type": "explain", "caller": "+447700900703"])
        let words = explain["words"] as? [String: Any] ?? [:]
        #expect(words.string("warning") == warning)
        #expect(words.string("end_call") == "Thanks for calling; goodbye.")
        #expect(((words["kinds"] as? [String: Any])?["physical_threat"] as? [String: Any])?.string("end_call") == "Excuse me.")
        let shown = try Command.ctl(daemon, ["explain", "+447700900703"])
        #expect(shown.stdout.contains("  Warning: \(warning)"))
        #expect(shown.stdout.contains("  Ending the call, for physical_threat: Excuse me."))
    }
}
