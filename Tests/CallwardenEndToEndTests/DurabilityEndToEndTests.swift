import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Durability, end to end")
struct DurabilityEndToEndTests {
    @Test("A restart keeps history and routing")
    func restart() throws {
        let daemon = try Daemon().start()
        _ = try daemon.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal", "note": "first"])
        _ = try daemon.request(["type": "abuse", "caller": "+447700900124", "kind": "nuisance"])
        _ = try daemon.request(["type": "forgive", "caller": "+447700900124", "reason": "wrong number, not a prank"])
        let before = try daemon.request(["type": "history", "caller": "+447700900123"])
        #expect(daemon.stop() == 0)

        try daemon.start()
        let after = try daemon.request(["type": "history", "caller": "+447700900123"])
        #expect((after["incidents"] as? [Any])?.count == 1)
        #expect(NSDictionary(dictionary: before["standing"] as! [String: Any]).isEqual(to: after["standing"] as! [String: Any]))
        #expect(try daemon.request(["type": "call.offered", "call": "x", "caller": "+447700900123"]).string("route") == "supervisor")
        #expect(try daemon.request(["type": "call.offered", "call": "y", "caller": "+447700900124"]).string("route") == "normal")
    }

    @Test("SIGKILL right after an acknowledged abuse loses nothing")
    func killNine() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        var acknowledged: [Int] = []
        for index in 0..<20 {
            let answer = try client.request(["type": "abuse", "caller": "+4477009001\(String(format: "%02d", index))", "kind": "threat", "id": index])
            #expect(answer.ok)
            acknowledged.append(try #require(answer.int("incident")))
        }
        daemon.killHard()

        try daemon.start()
        for index in 0..<20 {
            let history = try daemon.request(["type": "history", "caller": "+4477009001\(String(format: "%02d", index))"])
            let ids = (history["incidents"] as? [[String: Any]] ?? []).compactMap { $0.int("id") }
            #expect(ids == [acknowledged[index]])
        }
    }

    @Test("SIGKILL while many connections write: every acknowledged incident survives")
    func killNineUnderLoad() throws {
        let daemon = try Daemon().start()
        let path = daemon.socketPath
        // Eight writers on threads of their own send abuse events until the daemon is killed
        // under them; each keeps what was acknowledged.
        let acknowledged = Acknowledged()
        let finished = DispatchGroup()
        for writer in 0..<8 {
            finished.enter()
            Thread {
                defer { finished.leave() }
                guard let client = try? LineClient(path: path, timeoutSeconds: 5) else { return }
                for index in 0..<5000 {
                    let caller = "+44770090\(writer)\(String(format: "%03d", index % 1000))"
                    guard (try? client.send(["type": "abuse", "caller": caller, "kind": "verbal"])) != nil,
                          let answer = try? client.readResponse(), let id = answer.int("incident") else { return }
                    acknowledged.add(caller, id)
                }
            }.start()
        }
        usleep(500_000)
        daemon.killHard()
        finished.wait()
        let pairs = acknowledged.pairs
        #expect(pairs.count > 10)

        try daemon.start()
        let client = try daemon.client()
        var recorded: Set<Int> = []
        let callers = Array(Set(pairs.map(\.caller))).sorted()
        // In chunks: a client that writes without reading would stall both ends.
        for chunk in stride(from: 0, to: callers.count, by: 100) {
            let slice = callers[chunk..<min(chunk + 100, callers.count)]
            for caller in slice { try client.send(["type": "history", "caller": caller]) }
            for _ in slice {
                for incident in try client.readResponse()["incidents"] as? [[String: Any]] ?? [] {
                    if let id = incident.int("id") { recorded.insert(id) }
                }
            }
        }
        let lost = pairs.map(\.id).filter { !recorded.contains($0) }
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.prefix(10))")
    }

    @Test("A damaged record stops the daemon with a clear error and is left as it was")
    func corruptStore() throws {
        let daemon = try Daemon()
        try FileManager.default.createDirectory(atPath: daemon.stateDirectory, withIntermediateDirectories: true)
        let file = daemon.stateDirectory + "/callwarden.sqlite"
        let garbage = Data(repeating: 0x5A, count: 4096)
        try garbage.write(to: URL(fileURLWithPath: file))
        #expect(throws: Daemon.DaemonFailed.self) { try daemon.start(timeout: 10) }
        #expect(daemon.log.contains("damaged") || daemon.log.contains("cannot open"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == garbage)
    }
}

/// Acknowledged incidents gathered from several writer threads.
private final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(caller: String, id: Int)] = []

    func add(_ caller: String, _ id: Int) {
        lock.lock()
        list.append((caller, id))
        lock.unlock()
    }

    var pairs: [(caller: String, id: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
