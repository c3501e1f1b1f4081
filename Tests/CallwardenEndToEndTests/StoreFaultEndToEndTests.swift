import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The record on a real file system that fills up under the daemon: writes are
/// answered `unavailable` with a message for the client, routing goes on from memory, `status`
/// says the record is degraded, writing resumes by itself when the fault clears, and nothing
/// acknowledged is lost across the episode.
///
/// Needs root, to mount a small tmpfs as the state directory.
@Suite("Store faults, end to end", .serialized, .enabled(if: Prerequisite.runs("store-faults", available: Prerequisite.isRoot && Command.find("mount") != nil)))
struct StoreFaultEndToEndTests {
    static let note = String(repeating: "n", count: 3000)

    @Test func diskFull_refusesWrites_routesFromMemory_andResumesByItself() throws {
        try #require(Prerequisite.isRoot, "mounting a small file system needs root")
        let daemon = try Daemon()
        let mount = try SmallFileSystem(at: daemon.stateDirectory, size: "1m")
        defer { daemon.killHard(); mount.unmount() }
        try daemon.start()
        let client = try daemon.client()
        var acknowledged: [Int] = []
        var refusal: [String: Any]?
        // Fill the file system: every answer is either an acknowledged incident or unavailable.
        for index in 0..<2000 {
            let answer = try client.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal", "note": Self.note, "id": index])
            if answer.ok {
                acknowledged.append(try #require(answer.int("incident")))
            } else {
                refusal = answer
                break
            }
        }
        let error = try #require(refusal?["error"] as? [String: Any], "the file system never filled")
        #expect(error.string("code") == "unavailable")
        let message = error.string("message") ?? ""
        #expect(!message.lowercased().contains("sqlite"))
        #expect(!message.contains("SQLITE_FULL"))

        // Routing goes on from memory, from the acknowledged incidents only.
        let routed = try client.request(["type": "call.offered", "call": "c1", "caller": "+447700900123"])
        #expect(routed.string("route") == "supervisor")
        let standing = try #require(routed["standing"] as? [String: Any])
        #expect(standing.int("incidents") == acknowledged.count)
        let status = try client.request(["type": "status"])
        #expect((status["store"] as? [String: Any])?.string("state") == "degraded")

        try mount.resize("64m")
        let resumed = try client.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal", "note": "after"])
        #expect(resumed.ok, "writing did not resume after space was freed: \(resumed)")
        if let id = resumed.int("incident") { acknowledged.append(id) }
        #expect((try client.request(["type": "status"])["store"] as? [String: Any])?.string("state") == "ok")

        try Self.expectRecordHolds(acknowledged, daemon: daemon)
    }

    /// Every acknowledged incident is in the record exactly once, and the record verifies.
    static func expectRecordHolds(_ acknowledged: [Int], daemon: Daemon) throws {
        let client = try daemon.client()
        let verify = try client.request(["type": "verify"])
        #expect(verify.ok && verify["problem"] == nil, "verify: \(verify)")
        var incidents: [Int] = []
        var after: Int?
        repeat {
            var request: [String: Any] = ["type": "export", "limit": 1000]
            if let after { request["after"] = after }
            let page = try client.request(request)
            for entry in page["entries"] as? [[String: Any]] ?? [] where entry.string("type") == "incident" {
                if let id = entry.int("id") { incidents.append(id) }
            }
            after = page.int("next")
        } while after != nil
        #expect(incidents.sorted() == acknowledged.sorted())
    }
}

/// A tmpfs of a given size mounted at a directory, for a state directory that fills up, and
/// grows again, on demand.
struct SmallFileSystem {
    let path: String

    init(at path: String, size: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", "size=\(size),mode=0750", "tmpfs", path])
    }

    func resize(_ size: String) throws {
        try Self.mount(["-o", "remount,size=\(size)", path])
    }

    func unmount() {
        _ = try? Command.run(Command.find("umount") ?? "/bin/umount", ["-l", path])
    }

    private static func mount(_ arguments: [String]) throws {
        let result = try Command.run(Command.find("mount") ?? "/bin/mount", arguments)
        guard result.status == 0 else { throw MountFailed(output: result.stderr) }
    }

    struct MountFailed: Error { var output: String }
}
