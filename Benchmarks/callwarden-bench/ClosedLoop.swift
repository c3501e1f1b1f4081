import Foundation

/// Maximum throughput: each connection keeps `window` requests outstanding, sending a new one for
/// every answer it reads (pipelining, as a busy switch does), until the run's time is up or the
/// source runs dry.
///
/// One blocking thread per connection: it writes the requests the answers just made room for in
/// one `write`, then blocks in `read`. Latency here is from the actual send, so it includes the
/// time a request waits behind the rest of the window: it says how deep the queue was, not how
/// fast one request is served (the open loop says that).
enum ClosedLoop {
    struct Plan {
        var name: String
        var connections: Int
        var window: Int
        var warmup: Double
        /// Seconds to measure after warm-up; nil: until every source is exhausted.
        var duration: Double?
        var recordLatency = true
    }

    static func run<Source: RequestSource>(_ plan: Plan, socketPath: String, makeSource: (Int) -> Source) -> LoadResult {
        var workers: [Worker<Source>] = []
        do {
            for connection in 0..<plan.connections {
                workers.append(Worker(socket: try UnixSocket(path: socketPath), source: makeSource(connection), window: plan.window, recordLatency: plan.recordLatency))
            }
        } catch {
            var failed = LoadResult(name: plan.name, seconds: 0)
            failed.error = "\(error)"
            return failed
        }
        let start = Monotonic.nanoseconds()
        let measureFrom = start + UInt64(plan.warmup * 1e9)
        let stopAt = plan.duration.map { measureFrom + UInt64($0 * 1e9) } ?? .max
        Threads.run(workers.map { worker in { worker.run(measureFrom: measureFrom, stopAt: stopAt) } })
        let end = Monotonic.nanoseconds()
        var result = LoadResult(name: plan.name, seconds: Double(min(end, stopAt) - min(measureFrom, end)) / 1e9)
        for worker in workers { result.merge(worker.result) }
        return result
    }

    final class Worker<Source: RequestSource>: @unchecked Sendable {
        let socket: UnixSocket
        var source: Source
        let window: Int
        let recordLatency: Bool
        var result = LoadResult(name: "", seconds: 0)

        init(socket: UnixSocket, source: Source, window: Int, recordLatency: Bool) {
            self.socket = socket
            self.source = source
            self.window = window
            self.recordLatency = recordLatency
        }

        func run(measureFrom: UInt64, stopAt: UInt64) {
            var sentAt = [UInt64](repeating: 0, count: window)
            var kinds = [UInt8](repeating: 0, count: window)
            var out: [UInt8] = []
            out.reserveCapacity(window * 192)
            var reader = AnswerReader()
            defer { reader.deallocate() }
            var sent = 0
            var answered = 0
            var exhausted = false
            do {
                // Fill the window, then top it up after every read.
                func refill(_ now: UInt64) throws {
                    out.removeAll(keepingCapacity: true)
                    while sent - answered < window, !exhausted, now < stopAt {
                        guard let kind = source.next(into: &out) else {
                            exhausted = true
                            break
                        }
                        sentAt[sent % window] = now
                        kinds[sent % window] = kind.rawValue
                        sent += 1
                    }
                    if !out.isEmpty { try socket.writeAll(out) }
                }
                try refill(Monotonic.nanoseconds())
                while answered < sent {
                    var now: UInt64 = 0
                    let open = try reader.read(from: socket) { ok, line in
                        if now == 0 { now = Monotonic.nanoseconds() }
                        let slot = answered % window
                        let kind = RequestKind(rawValue: kinds[slot])!
                        answered += 1
                        if !ok {
                            result.failures += 1
                            if result.firstFailure == nil { result.firstFailure = String(decoding: line, as: UTF8.self) }
                        }
                        if now >= measureFrom, now < stopAt {
                            result.answeredInWindow[Int(kind.rawValue)] += 1
                            if recordLatency { result.latency.record(now - sentAt[slot], kind: kind) }
                        }
                    }
                    guard open else { throw UnixSocket.Failure(description: "the server closed the connection") }
                    try refill(now == 0 ? Monotonic.nanoseconds() : now)
                }
            } catch {
                result.error = "\(error)"
            }
            result.sent = sent
            result.answered = answered
            result.missing = sent - answered
        }
    }
}

/// Runs each body on a thread of its own and waits for all of them.
enum Threads {
    static func run(_ bodies: [@Sendable () -> Void]) {
        let done = DispatchGroup()
        for body in bodies {
            done.enter()
            let thread = Thread {
                body()
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
    }
}
