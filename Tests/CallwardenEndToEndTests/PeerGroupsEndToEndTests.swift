import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Roles from the groups the peer process holds (SO_PEERGROUPS), not from the group database:
/// creates users and groups and connects as them with chosen groups, so it runs only as root.
@Suite("Roles from the peer process's own groups, end to end", .serialized, .enabled(if: TestUser.canCreate && Command.find("socat") != nil,
    "needs root, useradd, setpriv and socat to connect as other users"))
struct PeerGroupsEndToEndTests {
    /// One line sent through socat as `user`, with exactly the supplementary `groups` (none if
    /// empty); the answer.
    static func send(_ line: String, as user: TestUser, groups: [UInt32], to daemon: Daemon) throws -> [String: Any] {
        let groupOption = groups.isEmpty ? "--clear-groups" : "--groups=" + groups.map(String.init).joined(separator: ",")
        let result = try Command.run("/usr/bin/setpriv", [
            "--reuid=\(user.uid)", "--regid=\(user.gid)", groupOption,
            Command.find("socat")!, "-t", "5", "-", "UNIX-CONNECT:\(daemon.socketPath)",
        ], input: line + "\n")
        let answer = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]) ?? ["stderr": result.stderr]
    }

    static let offer = #"{"type":"call.offered","call":"g1","caller":"+447700900321"}"#

    @Test("A group the process holds gives its role though the database does not list the user in it; a group it dropped does not")
    func processGroupsNotDatabase() throws {
        let telephony = try TestUser(prefix: "cwtg")
        let peer = try TestUser(prefix: "cwpg")
        let daemon = try Daemon().start(extraArguments: ["--socket-mode", "666", "--telephony-group", telephony.group])

        #expect(try Self.send(Self.offer, as: peer, groups: [telephony.gid], to: daemon).ok)
        #expect(try Self.send(Self.offer, as: peer, groups: [], to: daemon).errorCode == "forbidden")

        // In the database now, but the process does not hold the group: still no role.
        let usermod = try Command.run(Command.find("usermod") ?? "/usr/sbin/usermod", ["-a", "-G", telephony.group, peer.name])
        try #require(usermod.status == 0, "usermod: \(usermod.stderr)")
        #expect(try Self.send(Self.offer, as: peer, groups: [], to: daemon).errorCode == "forbidden")
    }

    @Test("A process with no supplementary groups is not taken to be in group 0; one that holds group 0 is")
    func noGroupsIsNotGroupZero() throws {
        let peer = try TestUser(prefix: "cwpz")
        let daemon = try Daemon().start(extraArguments: ["--socket-mode", "666", "--admin-group", "0"])
        let history = #"{"type":"history","caller":"+447700900321"}"#
        #expect(try Self.send(history, as: peer, groups: [], to: daemon).errorCode == "forbidden")
        #expect(try Self.send(history, as: peer, groups: [0], to: daemon).ok)
        #expect(try Self.send(history, as: peer, groups: [0, peer.gid, 65000], to: daemon).ok)
    }

    @Test("More groups than the first buffer holds are all read")
    func manyGroups() throws {
        let telephony = try TestUser(prefix: "cwtm")
        let peer = try TestUser(prefix: "cwpm")
        let daemon = try Daemon().start(extraArguments: ["--socket-mode", "666", "--telephony-group", telephony.group])
        // 200 other groups (none of them needs to exist: a privileged setgroups takes any gid),
        // more than the 64 the first read has room for.
        let others = (1..<101).map { UInt32(70_000 + $0) } + (1..<101).map { UInt32(80_000 + $0) }
        #expect(try Self.send(Self.offer, as: peer, groups: others + [telephony.gid], to: daemon).ok)
        #expect(try Self.send(Self.offer, as: peer, groups: others, to: daemon).errorCode == "forbidden")
    }
}
