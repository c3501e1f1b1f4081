import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Roles from peer credentials, with real users: creates users and groups and connects as them,
/// so it runs only as root (as CI does).
@Suite("Roles from peer credentials, end to end", .serialized, .enabled(if: TestUser.canCreate && Command.find("socat") != nil,
    "needs root, useradd, setpriv and socat to connect as other users"))
struct RolesEndToEndTests {
    /// callwardenctl copied where any user can run it (the build directory may be under a home
    /// that other users cannot enter).
    static func reachableControl(_ daemon: Daemon) throws -> String {
        let path = daemon.directory.appendingPathComponent("callwardenctl").path
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.copyItem(atPath: Command.callwardenctl, toPath: path)
            chmod(path, 0o755)
        }
        return path
    }

    /// Lines sent through socat as `user`, and the answers.
    static func send(_ lines: [String], as user: TestUser, to daemon: Daemon) throws -> [[String: Any]] {
        let result = try Command.asUser(user, Command.find("socat")!, ["-t", "5", "-", "UNIX-CONNECT:\(daemon.socketPath)"], input: lines.joined(separator: "\n") + "\n")
        return result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test("A telephony member may send call events but not forgive or reload; others only ask status")
    func telephonyAndOthers() throws {
        let telephony = try TestUser(prefix: "cwtel")
        let other = try TestUser(prefix: "cwoth")
        let daemon = try Daemon().start(extraArguments: ["--socket-mode", "666", "--telephony-group", telephony.group])
        let ctl = try Self.reachableControl(daemon)
        let environment = ["CALLWARDEN_SOCKET": daemon.socketPath]

        let events = try Self.send([
            #"{"type":"call.offered","id":1,"call":"r1","caller":"+447700900123"}"#,
            #"{"type":"abuse","id":2,"call":"r1","kind":"verbal","agent":"a1"}"#,
            #"{"type":"forgive","id":3,"caller":"+447700900123","reason":"no"}"#,
        ], as: telephony, to: daemon)
        #expect(events.count == 3)
        #expect(events.first?.ok == true)
        #expect(events.dropFirst().first?.ok == true)
        #expect(events.last?.errorCode == "forbidden")

        let forgive = try Command.asUser(telephony, ctl, ["forgive", "+447700900123", "--reason", "not mine to give"], environment: environment)
        #expect(forgive.status == 77)
        #expect(forgive.stderr.contains("forbidden"))
        let reload = try Command.asUser(telephony, ctl, ["reload"], environment: environment)
        #expect(reload.status == 77)
        #expect(reload.stderr.contains("forbidden"))
        for command in [["verify"], ["export"], ["tail"], ["purge"], ["history", "+447700900123"]] {
            #expect(try Command.asUser(telephony, ctl, command, environment: environment).status == 77, "\(command)")
        }
        #expect(try Command.asUser(telephony, ctl, ["status"], environment: environment).status == 0)

        let outsider = try Self.send([
            #"{"type":"call.offered","id":1,"call":"r2","caller":"+447700900124"}"#,
            #"{"type":"status","id":2}"#,
        ], as: other, to: daemon)
        #expect(outsider.first?.errorCode == "forbidden")
        #expect(outsider.last?.ok == true)

        // The record kept who sent the abuse; the log who was refused.
        let history = try daemon.request(["type": "history", "caller": "+447700900123"])
        #expect((history["incidents"] as? [[String: Any]])?.first?.string("by") == "uid \(telephony.uid)")
        #expect(daemon.log.contains("Forbidden: forgive from uid \(telephony.uid)"))
        #expect(daemon.log.contains("Forbidden: reload from uid \(telephony.uid)"))
        #expect(daemon.log.contains("pid="))
    }

    @Test("The admin group is configurable: its members may forgive, and a hand-recorded incident names them")
    func adminGroup() throws {
        let admin = try TestUser(prefix: "cwadm")
        let daemon = try Daemon().start(extraArguments: ["--socket-mode", "666", "--admin-group", admin.group])
        let ctl = try Self.reachableControl(daemon)
        let environment = ["CALLWARDEN_SOCKET": daemon.socketPath]
        let record = try Command.asUser(admin, ctl, ["record", "+447700900125", "--kind", "verbal", "--note", "by hand"], environment: environment)
        #expect(record.status == 0, "\(record.stderr)")
        let forgive = try Command.asUser(admin, ctl, ["forgive", "+447700900125", "--reason", "apologised"], environment: environment)
        #expect(forgive.status == 0, "\(forgive.stderr)")
        let history = try daemon.request(["type": "history", "caller": "+447700900125"])
        let incident = try #require((history["incidents"] as? [[String: Any]])?.first)
        #expect(incident.string("by") == "uid \(admin.uid)")
        #expect((incident["forgiveness"] as? [String: Any])?["by"] as? String == "uid \(admin.uid)")
    }

    @Test("A user who cannot open the socket is told so, with its own exit status")
    func socketPermission() throws {
        let other = try TestUser(prefix: "cwout")
        let daemon = try Daemon().start()  // socket mode 660, owned by root
        let ctl = try Self.reachableControl(daemon)
        let status = try Command.asUser(other, ctl, ["status"], environment: ["CALLWARDEN_SOCKET": daemon.socketPath])
        #expect(status.status == 77)
        #expect(status.stderr.contains("permission denied"))
    }
}
