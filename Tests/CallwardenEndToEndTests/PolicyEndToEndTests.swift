import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Policy files, end to end")
struct PolicyEndToEndTests {
    static var fixtures: URL {
        Daemon.packageRoot.appendingPathComponent("Tests/CallwardenCoreTests/Fixtures/policies")
    }

    @Test("The shipped policy passes --check-policy")
    func shippedPolicyChecks() throws {
        let result = try runDaemonCommand(["--check-policy", Daemon.shippedPolicy])
        #expect(result.status == 0)
        #expect(result.output.contains("is valid"))
    }

    @Test("A valid policy with a rule an earlier one always catches first passes --check-policy with a warning naming its line")
    func unreachableRuleWarned() throws {
        let shipped = try Daemon.shippedPolicyText()
        let covered = """
              - name: any-nuisance
                when:
                  score: {at_least: 0.5, kinds: [nuisance]}
                route: nuisance
                queue: nuisance
                priority: 0
                reason: Recent nuisance calls, past review or not.

              - name: two-nuisances
                when:
                  score: {at_least: 2, kinds: [nuisance]}
                route: nuisance
                queue: nuisance
                priority: 0
                reason: Two recent nuisance calls.

            """
        let marker = "  # 3. Recent verbal abuse"
        let text = shipped.replacingOccurrences(of: marker, with: covered + marker)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("- name: two-nuisances") }.map { $0 + 1 }
        let result = try runDaemonCommand(["--check-policy", path])
        #expect(result.status == 0)
        #expect(result.output.contains("\(path):\(line ?? 0): warning: rule 'two-nuisances' never decides: rule 'any-nuisance'"), "\(result.output)")
        let ctl = try Command.run(Command.callwardenctl, ["check-policy", path])
        #expect(ctl.status == 0)
        #expect(ctl.stdout + ctl.stderr == result.output)
    }

    @Test("Broken policies fail --check-policy with file:line", arguments: [
        ("syntax-error", 10), ("unknown-key", 12), ("unknown-kind-in-rule", 19), ("negative-half-life", 8),
    ])
    func brokenPolicies(name: String, line: Int) throws {
        let path = Self.fixtures.appendingPathComponent("\(name).yaml").path
        let result = try runDaemonCommand(["--check-policy", path])
        #expect(result.status == 1)
        #expect(result.output.contains("\(path):\(line):"), "\(result.output)")
    }

    @Test("The daemon refuses to start on a broken policy, with exit code 78 (EX_CONFIG)")
    func refusesBrokenPolicyAtStart() throws {
        let daemon = try Daemon(policy: Self.fixtures.appendingPathComponent("unknown-key.yaml").path)
        let result = try runDaemonCommand(daemon.arguments)
        #expect(result.status == 78)
        #expect(result.output.contains("unknown-key.yaml:12"))
    }

    @Test("reload with a broken file keeps the old policy; a good one takes effect; SIGHUP reloads too")
    func reload() throws {
        let daemon = try Daemon()
        let shipped = try Daemon.shippedPolicyText()
        let policy = try daemon.usePolicy(shipped)
        try daemon.start()
        _ = try daemon.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal"])

        try (shipped + "\nbogus_section: 1\n").write(to: policy, atomically: true, encoding: .utf8)
        let refused = try daemon.request(["type": "reload", "id": 1])
        #expect(refused.ok == false)
        let errors = (refused["error"] as? [String: Any])?["errors"] as? [String] ?? []
        #expect(errors.contains { $0.contains("bogus_section") })
        #expect(try daemon.request(["type": "call.offered", "call": "c", "caller": "+447700900123"]).string("queue") == "supervisor")

        let renamed = shipped.replacingOccurrences(of: "    queue: supervisor\n    priority: 5", with: "    queue: abuse-desk\n    priority: 5")
        #expect(renamed != shipped)
        try renamed.write(to: policy, atomically: true, encoding: .utf8)
        #expect(try daemon.request(["type": "reload"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "d", "caller": "+447700900123"]).string("queue") == "abuse-desk")

        try shipped.write(to: policy, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        var queue: String?
        for _ in 0..<100 {
            queue = try daemon.request(["type": "call.offered", "call": "e", "caller": "+447700900123"]).string("queue")
            if queue == "supervisor" { break }
            usleep(50_000)
        }
        #expect(queue == "supervisor")
        #expect(daemon.process?.isRunning == true)
    }
}
