import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The evidence record against the real daemon and a real SQLite file: verification after hand
/// edits, export and offline verification (callwardenctl and the Python program in
/// docs/record.md), and the retention purge.
@Suite("The evidence record, end to end")
struct RecordEndToEndTests {
    /// Six entries over three callers; the fourth forgives the second.
    static func fill(_ daemon: Daemon) throws {
        let client = try daemon.client()
        for (caller, kind) in [("+447700900301", "verbal"), ("+447700900302", "threat"), ("+447700900301", "nuisance")] {
            #expect(try client.request(["type": "abuse", "caller": caller, "kind": kind, "note": "noted, \"quoted\", and, commas"]).ok)
        }
        #expect(try client.request(["type": "forgive", "caller": "+447700900302", "reason": "apologised"]).ok)
        #expect(try client.request(["type": "abuse", "caller": "+447700900303", "kind": "verbal", "agent": "a9"]).ok)
        #expect(try client.request(["type": "abuse", "caller": "+447700900301", "kind": "verbal"]).ok)
    }

    static func verify(_ daemon: Daemon) throws -> [String: Any] {
        let answer = try daemon.request(["type": "verify"])
        #expect(answer.ok)
        return answer
    }

    /// Stops the daemon, edits its record with sqlite3, starts it again.
    static func edit(_ daemon: Daemon, _ sql: String) throws {
        #expect(daemon.stop() == 0)
        let result = try Command.run(Command.find("sqlite3")!, [daemon.stateDirectory + "/callwarden.sqlite", sql])
        #expect(result.status == 0, "\(result.stderr)")
        try daemon.start()
    }

    @Test("An untouched record verifies, before and after a restart")
    func untouched() throws {
        let daemon = try Daemon().start()
        try Self.fill(daemon)
        let answer = try Self.verify(daemon)
        #expect(answer["verified"] as? Bool == true)
        #expect(answer.int("entries") == 6)
        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try Self.verify(daemon)["verified"] as? Bool == true)
    }

    @Test("A row changed, removed or reordered with sqlite3 fails verification, naming the entry", .enabled(if: Command.find("sqlite3") != nil, "sqlite3 is not installed"), arguments: [
        ("UPDATE entries SET note = 'nothing happened' WHERE id = 3", "changed", 3),
        ("DELETE FROM entries WHERE id = 3", "removed", 4),
        ("UPDATE entries SET id = -1 WHERE id = 2; UPDATE entries SET id = 2 WHERE id = 5; UPDATE entries SET id = 5 WHERE id = -1", "reordered", 2),
        ("DELETE FROM entries WHERE id = 6", "head_mismatch", 6),
    ])
    func tampered(sql: String, kind: String, entry: Int) throws {
        let daemon = try Daemon().start()
        try Self.fill(daemon)
        try Self.edit(daemon, sql)
        let answer = try Self.verify(daemon)
        #expect(answer["verified"] as? Bool == false)
        let problem = answer["problem"] as? [String: Any] ?? [:]
        #expect(problem.string("kind") == kind)
        #expect(problem.int("entry") == entry)
        #expect(daemon.log.contains("The record does not verify"))

        let ctl = try Command.ctl(daemon, ["verify"])
        #expect(ctl.status == 1)
        #expect(ctl.stdout.contains("does NOT verify: entry \(entry) (\(kind))"))
    }

    @Test("An export verifies offline, whole, from a time on, or one caller; an edited export does not")
    func exportRoundTrip() throws {
        let daemon = try Daemon().start()
        try Self.fill(daemon)
        let file = daemon.directory.appendingPathComponent("export.json").path
        let export = try Command.ctl(daemon, ["export", "-o", file])
        #expect(export.status == 0, "\(export.stderr)")
        let verified = try Command.run(Command.callwardenctl, ["verify", "--file", file])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("6 entries (entries 1 to 6) chained without a break"))

        let suffix = daemon.directory.appendingPathComponent("suffix.json").path
        #expect(try Command.ctl(daemon, ["export", "--since", "1h", "-o", suffix]).status == 0)
        #expect(try Command.run(Command.callwardenctl, ["verify", "--file", suffix]).status == 0)

        let selection = daemon.directory.appendingPathComponent("selection.json").path
        #expect(try Command.ctl(daemon, ["export", "--caller", "07700 900301", "-o", selection]).status == 0)
        let selected = try Command.run(Command.callwardenctl, ["verify", "--file", selection])
        #expect(selected.status == 0)
        #expect(selected.stdout.contains("each of 3 entries"))

        let tampered = daemon.directory.appendingPathComponent("tampered.json").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"kind\":\"threat\"", with: "\"kind\":\"verbal\"").write(toFile: tampered, atomically: true, encoding: .utf8)
        let refused = try Command.run(Command.callwardenctl, ["verify", "--file", tampered])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("entry 2 (changed)"))

        let csv = try Command.ctl(daemon, ["export", "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("id,recorded_at,type,at,caller,call,kind,agent,supervisor,note,ref,rule,by,outcome,attestation,until,prev_hash,hash\r\n"))
        #expect(csv.stdout.contains("\"noted, \"\"quoted\"\", and, commas\""))
    }

    @Test("The Python program in docs/record.md verifies an export, and refuses an edited one", .enabled(if: Command.find("python3") != nil, "python3 is not installed"))
    func pythonVerifier() throws {
        let program = try Self.pythonProgram()
        let daemon = try Self.daemonWithRetention(forgiven: "1d")
        try Self.fill(daemon)
        // An old incident, so that the export holds a purge gap to cross.
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900304", "kind": "verbal", "at": "2020-01-01T00:00:00Z"]).ok)
        let purge = try daemon.request(["type": "purge"])
        #expect(purge["purged"] as? [Int] == [7])
        let file = daemon.directory.appendingPathComponent("export.json").path
        #expect(try Command.ctl(daemon, ["export", "-o", file]).status == 0)
        let python = Command.find("python3")!
        let good = try Command.run(python, ["-", file], input: program)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("verified"))

        let tampered = daemon.directory.appendingPathComponent("tampered.json").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"note\":\"apologised\"", with: "\"note\":\"never said sorry\"").write(toFile: tampered, atomically: true, encoding: .utf8)
        let bad = try Command.run(python, ["-", tampered], input: program)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("entry 4 does not verify"))

        // A whole entry removed from the export: the one just before the purged incident.
        let lines = text.components(separatedBy: "\n")
        let removed = lines.filter { !$0.hasPrefix("{\"id\":6,") }.joined(separator: "\n")
        let shortened = daemon.directory.appendingPathComponent("shortened.json").path
        try removed.write(toFile: shortened, atomically: true, encoding: .utf8)
        #expect(try Command.run(python, ["-", shortened], input: program).status == 1)
        #expect(try Command.run(Command.callwardenctl, ["verify", "--file", shortened]).status == 1)
    }

    @Test("The retention purge deletes forgiven and faded incidents, records itself, and the record still verifies")
    func purge() throws {
        let daemon = try Self.daemonWithRetention(forgiven: "1s")
        try Self.fill(daemon)
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900304", "kind": "verbal", "at": "2020-01-01T00:00:00Z"]).ok)
        usleep(1_100_000)  // past retention.forgiven (1s)
        let purge = try daemon.request(["type": "purge"])
        #expect(purge.ok)
        #expect(purge["retention"] as? Bool == true)
        #expect((purge["purged"] as? [Int])?.sorted() == [2, 4, 7])
        #expect(purge.int("incidents") == 2)
        let entry = try #require((purge["entries"] as? [Int])?.first)

        let verified = try Self.verify(daemon)
        #expect(verified["verified"] as? Bool == true, "\(verified)")
        #expect(verified.int("purged") == 3)
        #expect((try daemon.request(["type": "history", "caller": "+447700900302"])["incidents"] as? [Any])?.isEmpty == true)
        #expect(try daemon.request(["type": "call.offered", "call": "p1", "caller": "+447700900304"]).string("route") == "normal")

        // The purge entry names what went, and survives a restart; the record still verifies.
        let exported = try daemon.request(["type": "export", "after": entry - 1, "limit": 1])
        let purgeEntry = try #require((exported["entries"] as? [[String: Any]])?.first)
        #expect(purgeEntry.string("type") == "purge")
        #expect(purgeEntry.string("note")?.contains("\"purged\":[2,4,7]") == true)
        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try Self.verify(daemon)["verified"] as? Bool == true)
        #expect((try daemon.request(["type": "purge"])["purged"] as? [Any])?.isEmpty == true)

        // A surviving entry next to the purged run deleted by hand is still caught.
        if Command.find("sqlite3") != nil {
            try Self.edit(daemon, "DELETE FROM entries WHERE id = 3")
            let problem = try Self.verify(daemon)["problem"] as? [String: Any]
            #expect(problem?.string("kind") == "removed")
        }
    }

    @Test("The daemon purges by itself at start")
    func purgeAtStart() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900305", "kind": "verbal", "at": "2019-06-01T00:00:00Z"]).ok)
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900305", "kind": "verbal"]).ok)
        #expect(daemon.stop() == 0)
        daemon.policyPath = try Self.policyWithRetention(forgiven: "1d", in: daemon)
        try daemon.start()
        // The start-up purge runs beside the listener: wait for it to land.
        var incidents: [[String: Any]] = []
        for _ in 0..<100 {
            incidents = try daemon.request(["type": "history", "caller": "+447700900305"])["incidents"] as? [[String: Any]] ?? []
            if incidents.count == 1 { break }
            usleep(50_000)
        }
        #expect(incidents.map { $0.int("id") } == [2])
        #expect(try Self.verify(daemon)["verified"] as? Bool == true)
        #expect(daemon.log.contains("under the retention policy"))
    }

    /// A daemon started on the shipped policy with retention.
    static func daemonWithRetention(forgiven: String) throws -> Daemon {
        let daemon = try Daemon()
        daemon.policyPath = try policyWithRetention(forgiven: forgiven, in: daemon)
        return try daemon.start()
    }

    /// The shipped policy with retention, in the daemon's directory: forgiven incidents go after
    /// `forgiven`, faded ones (weighing under 0.05) after 30 days.
    static func policyWithRetention(forgiven: String, in daemon: Daemon) throws -> String {
        let path = daemon.directory.appendingPathComponent("retention.yaml").path
        let shipped = try String(contentsOfFile: Daemon.shippedPolicy, encoding: .utf8)
        try (shipped + "\nretention:\n  forgiven: \(forgiven)\n  faded: 30d\n  faded_below: 0.05\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The first ```python block of docs/record.md.
    static func pythonProgram() throws -> String {
        let doc = try String(contentsOf: Daemon.packageRoot.appendingPathComponent("docs/record.md"), encoding: .utf8)
        guard let start = doc.range(of: "```python\n"), let end = doc.range(of: "\n```", range: start.upperBound..<doc.endIndex) else {
            throw LineClient.Failure(description: "docs/record.md has no ```python block")
        }
        return String(doc[start.upperBound..<end.lowerBound]) + "\n"
    }
}
