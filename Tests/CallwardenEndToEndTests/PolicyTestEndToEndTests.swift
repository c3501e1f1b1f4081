import Foundation
import Testing

/// `callwardenctl policy test` against the real daemon and its real record.
@Suite("Policy test (replay), end to end")
struct PolicyTestEndToEndTests {
    static let nuisanceCaller = "+447700900123"
    static let verbalCaller = "+447700900456"

    /// A daemon with the shipped policy and a small story on record: a nuisance call, a calm call
    /// from the same caller after it (routed to the nuisance queue), and a verbal abuser.
    static func daemonWithHistory() throws -> Daemon {
        let daemon = try Daemon()
        try daemon.usePolicy(try Daemon.shippedPolicyText())
        try daemon.start()
        let requests: [[String: Any]] = [
            ["type": "call.offered", "call": "c-1", "caller": nuisanceCaller],
            ["type": "abuse", "call": "c-1", "kind": "nuisance", "agent": "agent-1"],
            ["type": "call.ended", "call": "c-1", "by": "agent", "outcome": "abusive"],
            ["type": "call.offered", "call": "c-2", "caller": nuisanceCaller],
            ["type": "call.ended", "call": "c-2", "by": "caller", "outcome": "resolved"],
            ["type": "abuse", "caller": verbalCaller, "kind": "verbal", "agent": "agent-2"],
        ]
        for request in requests {
            let answer = try daemon.request(request)
            #expect(answer.ok, "\(request): \(answer)")
        }
        return daemon
    }

    /// Writes a candidate file beside the daemon's own policy.
    static func candidate(_ daemon: Daemon, _ text: String, name: String = "candidate.yaml") throws -> String {
        let file = daemon.directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    static func policyStatus(_ daemon: Daemon) throws -> [String: Any] {
        try daemon.request(["type": "status"])["policy"] as? [String: Any] ?? [:]
    }

    @Test("An identical candidate exits 0; one that moves nuisance callers exits 1 and names that caller; the live policy is unchanged")
    func identicalAndChanged() throws {
        let daemon = try Self.daemonWithHistory()
        let shipped = try Daemon.shippedPolicyText()
        let before = try Self.policyStatus(daemon)

        let same = try Command.ctl(daemon, ["policy", "test", try Self.candidate(daemon, shipped, name: "same.yaml")])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("Nothing would change."))

        let moved = shipped.replacingOccurrences(of: "    review: 180d\n    route: nuisance\n    queue: nuisance\n    priority: 0\n", with: "    route: normal\n    queue: callback\n    priority: 2\n")
        #expect(moved != shipped)
        let path = try Self.candidate(daemon, moved)
        let changed = try Command.ctl(daemon, ["policy", "test", path])
        #expect(changed.status == 1, "\(changed.stdout)\(changed.stderr)")
        #expect(changed.stdout.contains(Self.nuisanceCaller))
        #expect(!changed.stdout.contains(Self.verbalCaller))
        #expect(changed.stdout.contains("nuisance (rule nuisance, queue nuisance, priority 0) -> normal (rule nuisance, queue callback, priority 2)"))

        let json = try Command.ctl(daemon, ["policy", "test", path, "--json"])
        #expect(json.status == 1)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(answer["changed"] as? Bool == true)
        #expect(answer["calls"] as? Int == 2)
        #expect(answer["callers"] as? Int == 2)
        let routes = try #require(answer["routes"] as? [String: Any])
        for point in ["calls", "now"] {
            let transitions = try #require((routes[point] as? [String: Any])?["transitions"] as? [[String: Any]])
            #expect(transitions.count == 1)
            #expect(transitions.first?["examples"] as? [String] == [Self.nuisanceCaller], "\(point)")
        }

        // The policy in force is the one it was, and routes as it did.
        let after = try Self.policyStatus(daemon)
        #expect(after["name"] as? String == before["name"] as? String)
        #expect(after["hash"] as? String == before["hash"] as? String)
        #expect(after["path"] as? String == before["path"] as? String)
        #expect(try daemon.request(["type": "call.offered", "call": "c-3", "caller": Self.nuisanceCaller]).string("queue") == "nuisance")
    }

    @Test("callwardenctl's help, man page and completions know policy test")
    func documented() throws {
        let help = try Command.run(Command.callwardenctl, ["policy", "test", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--since"))
        #expect(help.stdout.contains("Exit status, as diff"))
        let manual = try String(contentsOf: Daemon.packageRoot.appendingPathComponent("docs/callwardenctl.1"), encoding: .utf8)
        #expect(manual.contains("Replay the recorded history through a candidate policy"))
        let bash = try String(contentsOf: Daemon.packageRoot.appendingPathComponent("docs/completions/callwardenctl.bash"), encoding: .utf8)
        #expect(bash.contains("policy"))
    }

    @Test("An invalid candidate is refused with exit status 65 and file:line, and nothing is replayed")
    func invalidCandidate() throws {
        let daemon = try Self.daemonWithHistory()
        let shipped = try Daemon.shippedPolicyText()
        let broken = shipped.replacingOccurrences(of: "    route: nuisance\n", with: "    route: vip\n")
        let line = try #require(broken.components(separatedBy: "\n").firstIndex(of: "    route: vip")) + 1
        let path = try Self.candidate(daemon, broken)
        let result = try Command.ctl(daemon, ["policy", "test", path])
        #expect(result.status == 65, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("\(path):\(line):"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was replayed"))

        // Over the wire without a path, the candidate is named "candidate".
        let answer = try daemon.request(["type": "policy.test", "policy": broken])
        #expect(answer.errorCode == "bad_request")
        let errors = (answer["error"] as? [String: Any])?["errors"] as? [String] ?? []
        #expect(errors.contains { $0.hasPrefix("candidate:\(line):") }, "\(errors)")
    }

    @Test("A candidate larger than policy.test takes is refused before anything is sent")
    func oversizedCandidate() throws {
        let daemon = try Self.daemonWithHistory()
        let padded = try Daemon.shippedPolicyText() + String(repeating: "# padding\n", count: 7000)
        let result = try Command.ctl(daemon, ["policy", "test", try Self.candidate(daemon, padded)])
        #expect(result.status == 65)
        #expect(result.stderr.contains("a line of the protocol holds at most 65536"), "\(result.stderr)")
        #expect(daemon.process?.isRunning == true)
    }
}
