import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a connection may cost the daemon: unread answers, connections, unfinished lines, file
/// descriptors. Each test waits for the event it checks; deadlines are only guards.
@Suite("Connection bounds, end to end")
struct ConnectionBoundsEndToEndTests {
    /// Sends `line` over and over on every client at once, reading no answer, until each has sent
    /// `bytes` or the daemon has stopped reading from all (no socket has room for `settle`
    /// seconds). Returns the bytes sent.
    static func flood(_ clients: [LineClient], with line: String, bytes: Int, settle: Double = 2) -> Int {
        let chunk = Array(String(repeating: line, count: max(1, 16 * 1024 / line.utf8.count)).utf8)
        var sent = [Int](repeating: 0, count: clients.count)
        for client in clients { _ = fcntl(client.fd, F_SETFL, fcntl(client.fd, F_GETFL) | O_NONBLOCK) }
        while true {
            var waiting: [pollfd] = []
            for (index, client) in clients.enumerated() where sent[index] < bytes {
                while sent[index] < bytes {
                    // Continue where the last write stopped, so that no line is cut.
                    let offset = sent[index] % chunk.count
                    let written = chunk.withUnsafeBytes { write(client.fd, $0.baseAddress! + offset, $0.count - offset) }
                    guard written > 0 else { break }
                    sent[index] += written
                }
                if sent[index] < bytes, errno == EAGAIN || errno == EWOULDBLOCK {
                    waiting.append(pollfd(fd: client.fd, events: Int16(POLLOUT), revents: 0))
                }
            }
            if waiting.isEmpty { break }
            // Full everywhere, and the daemon takes no more: it has stopped reading.
            if poll(&waiting, nfds_t(waiting.count), Int32(settle * 1000)) <= 0 { break }
        }
        return sent.reduce(0, +)
    }

    /// Waits until `condition` holds; false if it did not before the guard deadline.
    static func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// What bounds the memory here is that the daemon stops reading from a client whose answers
    /// pile up: the flood stalls long before each client has sent all it wanted. (What the bound
    /// costs in bytes is measured by the benchmark and reported in docs/performance.md; a
    /// resident-memory check here would measure the allocator, or a sanitizer's quarantine.)
    @Test("Clients that pipeline without reading their answers are no longer read from, and another client is still answered")
    func stalledClients() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "status"]).ok)
        // explain answers are large (about 1.5 KB each): unbounded, 50 such clients held hundreds of MiB.
        let line = #"{"type":"explain","caller":"+447700900123"}"# + "\n"
        let wanted = 4 << 20
        let stalled = try (0..<50).map { _ in try daemon.client() }
        let sent = Self.flood(stalled, with: line, bytes: wanted)
        #expect(sent > 50 * 64 * 1024)
        #expect(sent < 50 * wanted, "the daemon read everything 50 stalled clients sent: \(sent) bytes")

        let bystander = try LineClient(path: daemon.socketPath, timeoutSeconds: 120)
        #expect(try bystander.request(["type": "status", "id": 1]).ok)
        for client in stalled { shutdown(client.fd, Int32(SHUT_RDWR)) }
        #expect(try bystander.request(["type": "status", "id": 2]).ok)
    }

    @Test("Beyond --max-connections a new connection gets one unavailable line and is closed; the others are served")
    func connectionLimit() throws {
        let daemon = try Daemon().start(extraArguments: ["--max-connections", "3"])
        var admitted: [LineClient] = []
        for index in 0..<3 {
            let client = try daemon.client()
            #expect(try client.request(["type": "status", "id": index]).ok)
            admitted.append(client)
        }
        let refused = try daemon.client()
        let answer = try refused.readResponse()
        #expect(answer.errorCode == "unavailable")
        #expect(((answer["error"] as? [String: Any])?["message"] as? String)?.contains("too many connections") == true)
        #expect(try refused.readLine() == nil)
        #expect(try admitted[0].request(["type": "status"]).ok)
        #expect(daemon.log.contains("Refused a connection: 3 are open"))

        // A place frees up when one leaves.
        admitted.removeLast()
        let servedAgain = Self.eventually(within: 30) {
            (try? daemon.client().request(["type": "status"]).ok) == true
        }
        #expect(servedAgain)
    }

    @Test("A line left unfinished past --line-timeout is answered too_long and closed; an idle connection is kept")
    func partialLineTimeout() throws {
        let daemon = try Daemon().start(extraArguments: ["--line-timeout", "1"])
        let idle = try daemon.client()
        let slow = try daemon.client()
        try slow.send(raw: #"{"type":"status","id":1}"# + "\n" + #"{"type":"sta"#)
        #expect(try slow.readResponse().ok)
        let answer = try slow.readResponse()
        #expect(answer.errorCode == "too_long")
        #expect(((answer["error"] as? [String: Any])?["message"] as? String)?.contains("not finished within 1 s") == true)
        #expect(try slow.readLine() == nil)
        // The idle connection, open longer than the limit with nothing begun, is still served.
        #expect(try idle.request(["type": "status"]).ok)
        #expect(daemon.log.contains("left a line unfinished"))
    }

    @Test("Lines sent a piece at a time are answered, however many pieces")
    func linesInPieces() throws {
        let daemon = try Daemon().start(extraArguments: ["--line-timeout", "30"])
        let client = try daemon.client()
        for piece in [#"{"type":"#, #""status","#, #""id":"#, "7}\n"] {
            try client.send(raw: piece)
        }
        #expect(try client.readResponse().int("id") == 7)
    }
}
