import CallwardenProtocol
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Supervisors called in: a ladder that needs a supervisor reaches the supervisors watching
/// (`supervise`), a verdict from `callwardenctl approve`/`deny` answers it, a deadline that
/// passes is announced, and what is pending survives a restart.
@Suite("Supervisors called in, end to end", .serialized)
struct SupervisorEndToEndTests {
    static func json(_ line: String?) -> [String: Any] {
        guard let line else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    static func notice(_ line: String?) -> [String: Any] { json(line)["notice"] as? [String: Any] ?? [:] }

    /// The shipped policy with its supervisor timeout replaced.
    static func policy(supervisorTimeout: String, extra: String = "") throws -> String {
        let shipped = try Daemon.shippedPolicyText()
        #expect(shipped.contains("  supervisor_timeout: 2m\n"))
        return shipped.replacingOccurrences(of: "  supervisor_timeout: 2m\n", with: "  supervisor_timeout: \(supervisorTimeout)\n") + extra
    }

    /// Climbs the ladder of a new call up to the supervisor, with event times in the recent past
    /// (the vent time is over), then asks to hang up now (the daemon's clock): `supervisor_required`.
    static func askSupervisor(_ client: LineClient, call: String, caller: String = "+447700900777") throws {
        let now = Date().timeIntervalSince1970.rounded(.down)
        #expect(try client.request(["type": "call.offered", "call": call, "caller": caller, "at": now - 200]).ok)
        #expect(try client.request(["type": "abuse", "call": call, "kind": "verbal", "agent": "a1", "at": now - 190]).ok)
        #expect(try client.request(["type": "warning", "call": call, "agent": "a1", "at": now - 100]).ok)
        #expect(try client.request(["type": "abuse", "call": call, "kind": "verbal", "agent": "a1", "at": now - 90]).ok)
        let asked = try client.request(["type": "hangup.request", "call": call, "agent": "a1"])
        #expect(asked.string("hangup") == "supervisor_required")
    }

    static func event(_ name: String) -> (String) -> Bool {
        { json($0).string("event") == name }
    }

    /// callwardenctl as `user` holding exactly `groups`.
    static func ctl(as user: TestUser, groups: [UInt32], _ daemon: Daemon, _ arguments: [String]) throws -> CommandResult {
        try Command.run("/usr/bin/setpriv", [
            "--reuid=\(user.uid)", "--regid=\(user.gid)", "--groups=" + groups.map(String.init).joined(separator: ","),
            Command.callwardenctl,
        ] + arguments + ["--socket", daemon.socketPath])
    }

    @Test(
        "A supervisor in the supervisor group sees the request, approves it with callwardenctl, and the hang-up is authorised",
        .enabled(if: TestUser.canCreate && Command.find("socat") != nil, "needs root, useradd, setpriv and socat to connect as another user"))
    func approvedBySupervisorGroupMember() throws {
        let supervisors = try TestUser(prefix: "cwsg")
        let person = try TestUser(prefix: "cwsp")
        let daemon = try Daemon().start(extraArguments: ["--socket-mode", "666", "--supervisor-group", supervisors.group])
        let watcher = try LineProcess("/usr/bin/setpriv", [
            "--reuid=\(person.uid)", "--regid=\(person.gid)", "--groups=\(supervisors.gid)",
            Command.callwardenctl, "supervise", "--json", "--socket", daemon.socketPath,
        ])
        #expect(Self.json(watcher.readLine())["supervise"] as? Bool == true)
        let pending = Self.json(watcher.readLine())
        #expect(pending.string("event") == "pending")
        #expect((pending["requests"] as? [Any])?.isEmpty == true)

        let client = try daemon.client()
        try Self.askSupervisor(client, call: "sv1")
        let needed = Self.notice(watcher.readLine(until: Self.event("supervisor.needed")))
        #expect(needed.string("call") == "sv1")
        #expect(needed.string("caller") == "+447700900777")
        #expect(needed.string("agent") == "a1")
        #expect((needed["standing"] as? [String: Any])?.int("incidents") == 2)
        #expect(needed.string("rule") == "supervisor-required")
        #expect(needed.string("deadline") != nil)

        let approve = try Self.ctl(as: person, groups: [supervisors.gid], daemon, ["approve", "sv1", "--supervisor", "s1"])
        #expect(approve.status == 0, "\(approve.stderr)")
        #expect(approve.stdout.contains("Approved by s1"))
        let answered = Self.notice(watcher.readLine(until: Self.event("supervisor.answered")))
        #expect(answered.string("call") == "sv1")
        #expect(answered.string("verdict") == "approve")
        #expect(answered.string("by") == "s1")
        let hangup = try client.request(["type": "hangup.request", "call": "sv1", "agent": "a1"])
        #expect(hangup.string("hangup") == "authorised" && hangup.string("rule") == "supervisor-approved")

        // Without --supervisor, the verdict is given in the name of the user who runs callwardenctl.
        try Self.askSupervisor(client, call: "sv2")
        #expect(Self.notice(watcher.readLine(until: Self.event("supervisor.needed"))).string("call") == "sv2")
        let deny = try Self.ctl(as: person, groups: [supervisors.gid], daemon, ["deny", "sv2", "--reason", "I will take it"])
        #expect(deny.status == 0, "\(deny.stderr)")
        let denied = Self.notice(watcher.readLine(until: Self.event("supervisor.answered")))
        #expect(denied.string("verdict") == "deny")
        #expect(denied.string("by") == person.name)

        #expect(daemon.log.contains("message_id=e0d896e66d574cb3ab8dc2b1fd03e114"))
        #expect(daemon.log.contains("message_id=fd9defd9f5a64edb9bb9d5e1b8b3dbdd"))
    }

    @Test(
        "supervise needs the supervisor role; a supervisor may also send call events",
        .enabled(if: TestUser.canCreate && Command.find("socat") != nil, "needs root, useradd, setpriv and socat to connect as another user"))
    func superviseNeedsTheSupervisorRole() throws {
        let supervisors = try TestUser(prefix: "cwsr")
        let telephony = try TestUser(prefix: "cwst")
        let person = try TestUser(prefix: "cwsq")
        let daemon = try Daemon().start(extraArguments: [
            "--socket-mode", "666", "--supervisor-group", supervisors.group, "--telephony-group", telephony.group,
        ])
        let supervise = #"{"type":"supervise"}"#
        #expect(try PeerGroupsEndToEndTests.send(supervise, as: person, groups: [telephony.gid], to: daemon).errorCode == "forbidden")
        #expect(try PeerGroupsEndToEndTests.send(supervise, as: person, groups: [], to: daemon).errorCode == "forbidden")
        #expect(try PeerGroupsEndToEndTests.send(supervise, as: person, groups: [supervisors.gid], to: daemon)["supervise"] as? Bool == true)
        #expect(try PeerGroupsEndToEndTests.send(PeerGroupsEndToEndTests.offer, as: person, groups: [supervisors.gid], to: daemon).ok)
        // Admin requests stay the admin's.
        let history = #"{"type":"history","caller":"+447700900321"}"#
        #expect(try PeerGroupsEndToEndTests.send(history, as: person, groups: [supervisors.gid], to: daemon).errorCode == "forbidden")
    }

    @Test("A request with no verdict by its deadline is announced as timed out, to the watchers and in the log; the ladder then authorises")
    func timeoutIsAnnounced() throws {
        let daemon = try Daemon()
        try daemon.usePolicy(try Self.policy(supervisorTimeout: "1s"))
        try daemon.start()
        let watcher = try daemon.client()
        #expect(try watcher.request(["type": "supervise"])["supervise"] as? Bool == true)
        #expect(Self.json(try watcher.readLine()).string("event") == "pending")

        let client = try daemon.client()
        try Self.askSupervisor(client, call: "to1")
        let needed = Self.json(try watcher.readLine())
        #expect(needed.string("event") == "supervisor.needed")
        // Nothing else is sent to the daemon: the deadline alone must wake it.
        let timedOut = Self.json(try watcher.readLine())
        #expect(timedOut.string("event") == "supervisor.timeout")
        #expect((timedOut["notice"] as? [String: Any])?.string("call") == "to1")
        #expect(daemon.log.contains("message_id=a30b75ad43a44860a4c4ed7d3c401f5f"))
        let hangup = try client.request(["type": "hangup.request", "call": "to1", "agent": "a1"])
        #expect(hangup.string("hangup") == "authorised" && hangup.string("rule") == "supervisor-timeout")
    }

    @Test("A tail subscriber sees the supervisor notices among the other events")
    func tailCarriesNotices() throws {
        let daemon = try Daemon().start()
        let tail = try daemon.client()
        #expect(try tail.request(["type": "tail"]).ok)
        try Self.askSupervisor(try daemon.client(), call: "tl1")
        let needed = Self.json(try #require(Self.readLine(tail) { Self.json($0).string("event") == "supervisor.needed" }))
        #expect((needed["notice"] as? [String: Any])?.string("call") == "tl1")
    }

    /// Lines until one matches (returned); nil if the connection ends first.
    static func readLine(_ client: LineClient, until match: (String) -> Bool) throws -> String? {
        while let line = try client.readLine() {
            if match(line) { return line }
        }
        return nil
    }

    @Test("The alert command hears supervisor.needed with the call, caller, agent and deadline")
    func alertCommandHearsSupervisorNeeded() throws {
        let daemon = try Daemon()
        let output = daemon.directory.appendingPathComponent("alert.env").path
        let script = daemon.directory.appendingPathComponent("page-supervisor").path
        let command = try AlertScript.write("env | grep '^CALLWARDEN_' | sort > \(output).tmp && mv \(output).tmp \(output)\n", to: script)
        try daemon.usePolicy(try Self.policy(supervisorTimeout: "10m", extra: "\nalert:\n  command: \(command)\n  timeout: 5s\n"))
        try daemon.start()
        let watcher = try daemon.client()
        _ = try watcher.request(["type": "supervise"])
        _ = try watcher.readLine()
        try Self.askSupervisor(try daemon.client(), call: "al1")
        let needed = Self.notice(try watcher.readLine())
        let deadline = try #require(needed.string("deadline"))

        let until = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: output), Date() < until { usleep(20_000) }
        let environment = try String(contentsOfFile: output, encoding: .utf8)
        #expect(environment.contains("CALLWARDEN_EVENT=supervisor.needed\n"))
        #expect(environment.contains("CALLWARDEN_CALL=al1\n"))
        #expect(environment.contains("CALLWARDEN_CALLER=+447700900777\n"))
        #expect(environment.contains("CALLWARDEN_AGENT=a1\n"))
        let seconds = try #require(environment.split(separator: "\n").first { $0.hasPrefix("CALLWARDEN_DEADLINE=") }.flatMap { Double($0.dropFirst(20)) })
        #expect(abs(seconds - (EventTime.parse(deadline) ?? 0)) < 1)
    }

    @Test("Pending requests survive a restart: the snapshot after it lists them, and a verdict then answers them")
    func pendingSurvivesRestart() throws {
        let daemon = try Daemon()
        try daemon.usePolicy(try Self.policy(supervisorTimeout: "1h"))
        try daemon.start()
        try Self.askSupervisor(try daemon.client(), call: "rs1")
        let before = try daemon.client()
        _ = try before.request(["type": "supervise"])
        let asked = (Self.json(try before.readLine())["requests"] as? [[String: Any]])?.first ?? [:]
        #expect(asked.string("call") == "rs1")
        #expect(daemon.stop() == 0)

        try daemon.start()
        let watcher = try daemon.client()
        _ = try watcher.request(["type": "supervise"])
        let snapshot = Self.json(try watcher.readLine())
        let requests = snapshot["requests"] as? [[String: Any]] ?? []
        #expect(requests.count == 1)
        let resumed = requests.first ?? [:]
        #expect(resumed.string("call") == "rs1")
        #expect(resumed.string("agent") == "a1")
        #expect(resumed.string("asked_at") == asked.string("asked_at"))
        #expect(resumed.string("deadline") == asked.string("deadline"))
        #expect(resumed.string("reason") == asked.string("reason"))

        // For people, when the output is not a terminal: one plain line per pending request.
        let plain = try LineProcess(Command.callwardenctl, ["supervise", "--socket", daemon.socketPath])
        let line = plain.readLine { $0.contains("call rs1") }
        #expect(line?.contains("pending") == true)
        #expect(line?.contains("agent a1") == true)

        let deny = try Command.ctl(daemon, ["deny", "rs1", "--reason", "I will take the call", "--supervisor", "s2"])
        #expect(deny.status == 0, "\(deny.stderr)")
        let answered = Self.notice(try watcher.readLine())
        #expect(answered.string("verdict") == "deny")
        #expect(answered.string("by") == "s2")
        #expect(plain.readLine { $0.contains("denied by s2") } != nil)

        // The reason is the verdict's note in the record.
        let export = try daemon.request(["type": "export"])
        let verdict = (export["entries"] as? [[String: Any]])?.last { $0.string("type") == "verdict" }
        #expect(verdict?.string("note") == "I will take the call")
        #expect(verdict?.string("supervisor") == "s2")
    }

    @Test("deny without a reason is refused before anything is sent")
    func denyNeedsAReason() throws {
        let daemon = try Daemon().start()
        let deny = try Command.ctl(daemon, ["deny", "x1"])
        #expect(deny.status == 64)
        #expect(deny.stderr.contains("--reason"))
    }
}
