import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// callwardenctl against a running daemon: each command, for people and with --json, and the
/// exit statuses scripts rely on.
@Suite("callwardenctl, end to end")
struct ControlEndToEndTests {
    /// `callwardenctl tail --count N` against the daemon, returned once it is subscribed (it says
    /// it is following), with the pipe its events are printed to.
    static func followingTail(_ daemon: Daemon, count: Int) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Command.callwardenctl)
        process.arguments = ["--socket", daemon.socketPath, "tail", "--count", String(count)]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var said = Data()
        while !String(decoding: said, as: UTF8.self).contains("following"), case let chunk = err.fileHandleForReading.availableData, !chunk.isEmpty {
            said.append(chunk)
        }
        return (process, out)
    }

    static func json(_ line: Substring) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    @Test("Each command, as text for people and as the daemon's JSON")
    func commands() throws {
        let daemon = try Daemon().start()
        let caller = "07700 900401"

        let recorded = try Command.ctl(daemon, ["record", caller, "--kind", "verbal", "--agent", "agent-7", "--note", "swore twice"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(recorded.stdout.contains("Recorded incident 1 (verbal)"))
        let recordedJSON = try Command.ctl(daemon, ["record", caller, "--kind", "threat", "--json"])
        #expect(Self.json(recordedJSON.stdout.dropLast())["incident"] as? Int == 2)

        let history = try Command.ctl(daemon, ["history", caller])
        #expect(history.status == 0)
        #expect(history.stdout.contains("+447700900401: score 3.00, 2 unforgiven incidents"))
        #expect(history.stdout.contains("WEIGHT"))
        #expect(history.stdout.contains("swore twice"))
        #expect(history.stdout.contains("agent-7"))
        let historyJSON = try Command.ctl(daemon, ["history", caller, "--json"])
        #expect((Self.json(historyJSON.stdout.dropLast())["incidents"] as? [Any])?.count == 2)

        let explain = try Command.ctl(daemon, ["explain", caller])
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("would go to the supervisor route now"))
        #expect(explain.stdout.contains("Rules tried"))
        #expect(explain.stdout.contains("abusive"))
        #expect(Self.json(try Command.ctl(daemon, ["explain", caller, "--json"]).stdout.dropLast())["trail"] is [Any])

        let forgive = try Command.ctl(daemon, ["forgive", caller, "--reason", "apologised by letter", "--incident", "2"])
        #expect(forgive.status == 0)
        #expect(forgive.stdout.contains("Forgave incident 2 of +447700900401"))
        #expect(try Command.ctl(daemon, ["history", caller]).stdout.contains("forgiven 20"))

        let status = try Command.ctl(daemon, ["status"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("callwarden is serving"))
        #expect(status.stdout.contains("policy  default"))
        #expect(Self.json(try Command.ctl(daemon, ["status", "--json"]).stdout.dropLast())["uptime"] != nil)

        let reload = try Command.ctl(daemon, ["reload"])
        #expect(reload.status == 0)
        #expect(reload.stdout.contains("Policy default"))

        let verify = try Command.ctl(daemon, ["verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("The record verifies: 3 entries"))
        #expect(Self.json(try Command.ctl(daemon, ["verify", "--json"]).stdout.dropLast())["verified"] as? Bool == true)

        let export = try Command.ctl(daemon, ["export"])
        #expect(export.status == 0)
        let document = Self.json(Substring(export.stdout))
        #expect(document["format"] as? String == "callwarden-export")
        #expect((document["entries"] as? [Any])?.count == 3)

        let purge = try Command.ctl(daemon, ["purge"])
        #expect(purge.status == 0)
        #expect(purge.stdout.contains("The policy sets no retention"))
    }

    @Test("--socket, --json and --timeout are taken before the subcommand as after it")
    func optionsBeforeSubcommand() throws {
        let daemon = try Daemon().start()
        let before = try Command.run(Command.callwardenctl, ["--socket", daemon.socketPath, "status"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("serving on \(daemon.socketPath)"))
        let json = try Command.run(Command.callwardenctl, ["--json", "--socket=\(daemon.socketPath)", "--timeout", "30", "status"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(Self.json(json.stdout.dropLast())["ok"] as? Bool == true)
    }

    @Test("tail prints whole type names and callers as normalised, and stops after --count events")
    func tailForPeople() throws {
        let daemon = try Daemon().start()
        let (process, out) = try Self.followingTail(daemon, count: 3)
        let client = try daemon.client()
        #expect(try client.request(["type": "call.offered", "call": "t1", "caller": "07700 900601"]).ok)
        #expect(try client.request(["type": "abuse", "call": "t1", "kind": "verbal"]).ok)
        #expect(try client.request(["type": "hangup.request", "call": "t1"]).ok)
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(text.contains("hangup.request "))
        #expect(text.contains("+447700900601 call t1 -> normal"))
        #expect(!text.contains("07700 900601"))
    }

    @Test("tail says a welfare rule's count in the singular when it is one call")
    func tailWelfareSingular() throws {
        let daemon = try Daemon().start()
        let (process, out) = try Self.followingTail(daemon, count: 3)
        let client = try daemon.client()
        #expect(try client.request(["type": "call.offered", "call": "w1", "caller": "07700 900602"]).ok)
        #expect(try client.request(["type": "abuse", "call": "w1", "kind": "threat", "agent": "a1"]).ok)
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("agent.welfare "), "\(text)")
        #expect(text.contains("(1 abusive call within"), "\(text)")
    }

    @Test("history shows a verdict sent with an empty reason without a dangling comma")
    func historyEmptyReason() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        #expect(try client.request(["type": "call.offered", "call": "v1", "caller": "07700 900603"]).ok)
        #expect(try client.request(["type": "abuse", "call": "v1", "kind": "verbal"]).ok)
        #expect(try client.request(["type": "supervisor", "call": "v1", "verdict": "deny", "reason": ""]).ok)
        let history = try Command.ctl(daemon, ["history", "07700 900603"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("verdict"), "\(history.stdout)")
        #expect(!history.stdout.contains("deny,"), "\(history.stdout)")
    }

    @Test("Pages: an export larger than a page comes whole, in order")
    func exportPages() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        let note = String(repeating: "n", count: 4000)
        for index in 0..<40 {
            try client.send(["type": "abuse", "caller": "+4477009005\(String(format: "%02d", index))", "kind": "verbal", "note": note])
        }
        for _ in 0..<40 { #expect(try client.readResponse().ok) }
        let pages = try Command.ctl(daemon, ["export", "--json"])
        let lines = pages.stdout.split(separator: "\n")
        #expect(lines.count > 1, "40 entries of 4 KB need more than one page")
        #expect(lines.allSatisfy { $0.utf8.count < 64 * 1024 })
        let file = daemon.directory.appendingPathComponent("all.json").path
        #expect(try Command.ctl(daemon, ["export", "-o", file]).status == 0)
        let verified = try Command.run(Command.callwardenctl, ["verify", "--file", file])
        #expect(verified.stdout.contains("40 entries (entries 1 to 40)"), "\(verified.stdout)")
    }

    @Test("Unreachable, refused input and a missing socket give distinct statuses and clear messages")
    func failures() throws {
        let missing = try Command.run(Command.callwardenctl, ["status", "--socket", "/nonexistent/callwarden.sock"])
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("no socket at /nonexistent/callwarden.sock"))

        let daemon = try Daemon().start()
        let unknownKind = try Command.ctl(daemon, ["record", "+447700900402", "--kind", "anger"])
        #expect(unknownKind.status == 65)
        #expect(unknownKind.stderr.contains("unknown_kind"))
        #expect(unknownKind.stderr.contains("Anger alone is not abuse"))
        let notForgivable = try Command.ctl(daemon, ["forgive", "+447700900402", "--reason", "x", "--incident", "99"])
        #expect(notForgivable.status == 65)
        let usage = try Command.ctl(daemon, ["forgive", "+447700900402"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--reason"))

        // A socket file nobody listens on any more.
        daemon.stop()
        let stale = daemon.directory.appendingPathComponent("stale.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: stale.utf8)
            raw[stale.utf8.count] = 0
        }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        let refused = try Command.run(Command.callwardenctl, ["status", "--socket", stale])
        #expect(refused.status == 69)
        #expect(refused.stderr.contains("nothing is listening"))
    }

    @Test("check-policy says what callwardend --check-policy says, with the same status", arguments: ["valid", "invalid", "missing"])
    func checkPolicy(_ which: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-check-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path: String
        switch which {
        case "valid": path = Daemon.shippedPolicy
        case "invalid":
            path = directory.appendingPathComponent("bad.yaml").path
            try "policy: bad\nnumbering:\n  country_code: \"44\"\ncategories:\n  verbal:\n    wieght: 1\nrules: []\n".write(toFile: path, atomically: true, encoding: .utf8)
        default: path = directory.appendingPathComponent("absent.yaml").path
        }
        let daemon = try runDaemonCommand(["--check-policy", path])
        let ctl = try Command.run(Command.callwardenctl, ["check-policy", path])
        #expect(ctl.status == daemon.status)
        #expect(ctl.stdout + ctl.stderr == daemon.output)
        #expect(ctl.status == (which == "valid" ? 0 : 1))
    }

    @Test("Help, shell completions and the man page are there")
    func helpAndCompletions() throws {
        let help = try Command.run(Command.callwardenctl, ["help", "export"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--since"))
        #expect(help.stdout.contains("re-verify it offline"))
        for shell in ["bash", "zsh", "fish"] {
            let script = try Command.run(Command.callwardenctl, ["--generate-completion-script", shell])
            #expect(script.status == 0)
            #expect(script.stdout.contains("verify"))
            let shipped = try String(contentsOf: Daemon.packageRoot.appendingPathComponent("docs/completions/callwardenctl.\(shell)"), encoding: .utf8)
            #expect(shipped == script.stdout, "docs/completions/callwardenctl.\(shell) is stale: run scripts/generate-ctl-docs.sh")
        }
        let manual = try String(contentsOf: Daemon.packageRoot.appendingPathComponent("docs/callwardenctl.1"), encoding: .utf8)
        for command in ["status", "history", "explain", "forgive", "record", "reload", "check-policy", "export", "verify", "tail", "purge", "policy", "exempt", "review", "supervise", "approve", "deny", "agents", "report"] {
            #expect(manual.contains(command), "docs/callwardenctl.1 does not mention \(command)")
        }
    }
}
