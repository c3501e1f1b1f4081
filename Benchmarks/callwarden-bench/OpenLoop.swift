#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Latency at a fixed rate: requests are due on a fixed schedule (request n at start + n/rate,
/// round-robin over the connections) whatever the server does, and each latency is measured from
/// the time the request was due, not from when it was finally written.
///
/// That is what makes it honest about coordinated omission: a server that stalls for 10 ms delays
/// every request due in those 10 ms, and each of them is charged the wait, as the switches waiting
/// on it would be. A closed-loop client would instead send nothing during the stall and record a
/// single slow answer.
///
/// Two threads serve every connection: a sender that sleeps until the next request is due (with
/// 1 ns timer slack) and writes whatever is due, and a receiver that `poll`s all sockets. The
/// sender's own lateness is reported (`worstSendLag`) so a client that cannot keep up is seen.
enum OpenLoop {
    struct Plan {
        var name: String
        var connections: Int
        var rate: Double
        var warmup: Double
        var duration: Double
        /// How long to wait for the last answers after the last request was due.
        var drain: Double = 3
    }

    static func run<Source: RequestSource>(_ plan: Plan, socketPath: String, makeSource: (Int) -> Source) -> LoadResult {
        let total = Int(plan.rate * (plan.warmup + plan.duration))
        let perConnection = total / plan.connections + 1
        var lanes: [Lane<Source>] = []
        do {
            for connection in 0..<plan.connections {
                lanes.append(Lane(socket: try UnixSocket(path: socketPath), source: makeSource(connection), capacity: perConnection))
            }
        } catch {
            var failed = LoadResult(name: plan.name, seconds: 0)
            failed.error = "\(error)"
            return failed
        }
        let interval = 1e9 / plan.rate
        let start = Monotonic.nanoseconds() + 2_000_000
        let measureFrom = start + UInt64(plan.warmup * 1e9)
        let lastDue = start + UInt64(Double(total - 1) * interval)
        let giveUpAt = lastDue + UInt64(plan.drain * 1e9)
        let sender = Sender(lanes: lanes, total: total, start: start, interval: interval)
        let receiver = Receiver(lanes: lanes, measureFrom: measureFrom, giveUpAt: giveUpAt, expected: total)
        Threads.run([{ sender.run() }, { receiver.run() }])
        var result = LoadResult(name: plan.name, seconds: plan.duration)
        result.sent = sender.sent
        result.worstSendLag = Double(sender.worstLag) / 1000
        result.answered = receiver.answered
        result.missing = sender.sent - receiver.answered
        result.failures = receiver.failures
        result.firstFailure = receiver.firstFailure
        result.answeredInWindow = receiver.answeredInWindow
        result.latency = receiver.latency
        result.serviceLatency = receiver.serviceLatency
        result.error = sender.error ?? receiver.error
        for lane in lanes { lane.deallocate() }
        return result
    }

    /// One connection: its socket, its requests' due and sent times and kinds, indexed by the
    /// request's number on this connection (answers come back in that order).
    final class Lane<Source: RequestSource>: @unchecked Sendable {
        let socket: UnixSocket
        var source: Source
        let capacity: Int
        let due: UnsafeMutablePointer<UInt64>
        let sentAt: UnsafeMutablePointer<UInt64>
        let kinds: UnsafeMutablePointer<UInt8>
        /// Requests written so far; the receiver reads their times only below this count.
        let written = Atomic<Int>(0)
        var pending: [UInt8] = []
        var queued = 0

        init(socket: UnixSocket, source: Source, capacity: Int) {
            self.socket = socket
            self.source = source
            self.capacity = capacity
            due = .allocate(capacity: capacity)
            sentAt = .allocate(capacity: capacity)
            kinds = .allocate(capacity: capacity)
            pending.reserveCapacity(64 * 1024)
        }

        func deallocate() {
            due.deallocate()
            sentAt.deallocate()
            kinds.deallocate()
        }
    }

    final class Sender<Source: RequestSource>: @unchecked Sendable {
        let lanes: [Lane<Source>]
        let total: Int
        let start: UInt64
        let interval: Double
        var sent = 0
        var worstLag: UInt64 = 0
        var error: String?

        init(lanes: [Lane<Source>], total: Int, start: UInt64, interval: Double) {
            self.lanes = lanes
            self.total = total
            self.start = start
            self.interval = interval
        }

        func due(_ n: Int) -> UInt64 { start + UInt64(Double(n) * interval) }

        func run() {
            Monotonic.tightenTimerSlack()
            var n = 0
            do {
                while n < total {
                    Monotonic.sleep(until: due(n))
                    let now = Monotonic.nanoseconds()
                    // Everything due by now, in schedule order, batched per connection.
                    while n < total, due(n) <= now {
                        let lane = lanes[n % lanes.count]
                        let index = lane.written.load(ordering: .relaxed) + lane.queued
                        if index < lane.capacity, let kind = lane.source.next(into: &lane.pending) {
                            lane.due[index] = due(n)
                            lane.kinds[index] = kind.rawValue
                            lane.queued += 1
                        }
                        worstLag = max(worstLag, now - due(n))
                        n += 1
                    }
                    let sendTime = Monotonic.nanoseconds()
                    for lane in lanes where lane.queued > 0 {
                        let first = lane.written.load(ordering: .relaxed)
                        for index in first..<(first + lane.queued) { lane.sentAt[index] = sendTime }
                        // Published before the write: the answer cannot arrive before it.
                        lane.written.store(first + lane.queued, ordering: .releasing)
                        try lane.socket.writeAll(lane.pending)
                        sent += lane.queued
                        lane.queued = 0
                        lane.pending.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                self.error = "send: \(error)"
            }
        }
    }

    final class Receiver<Source: RequestSource>: @unchecked Sendable {
        let lanes: [Lane<Source>]
        let measureFrom: UInt64
        let giveUpAt: UInt64
        let expected: Int
        var answered = 0
        var failures = 0
        var firstFailure: String?
        var answeredInWindow = Array(repeating: 0, count: RequestKind.allCases.count)
        var latency = LatencySamples()
        var serviceLatency = LatencySamples()
        var error: String?

        init(lanes: [Lane<Source>], measureFrom: UInt64, giveUpAt: UInt64, expected: Int) {
            self.lanes = lanes
            self.measureFrom = measureFrom
            self.giveUpAt = giveUpAt
            self.expected = expected
        }

        func run() {
            var readers = lanes.map { _ in AnswerReader() }
            defer { for reader in readers { reader.deallocate() } }
            var answeredPerLane = Array(repeating: 0, count: lanes.count)
            var polls = lanes.map { pollfd(fd: $0.socket.fd, events: Int16(POLLIN), revents: 0) }
            do {
                while answered < expected, Monotonic.nanoseconds() < giveUpAt {
                    let ready = poll(&polls, nfds_t(polls.count), 100)
                    if ready < 0 {
                        if errno == EINTR { continue }
                        throw UnixSocket.Failure(description: "poll: \(String(cString: strerror(errno)))")
                    }
                    for (index, lane) in lanes.enumerated() where polls[index].revents != 0 {
                        var now: UInt64 = 0
                        let written = lane.written.load(ordering: .acquiring)
                        let open = try readers[index].read(from: lane.socket) { ok, line in
                            if now == 0 { now = Monotonic.nanoseconds() }
                            let request = answeredPerLane[index]
                            answeredPerLane[index] += 1
                            answered += 1
                            if !ok {
                                failures += 1
                                if firstFailure == nil { firstFailure = String(decoding: line, as: UTF8.self) }
                            }
                            guard request < written else { return }
                            let due = lane.due[request]
                            guard due >= measureFrom else { return }
                            let kind = RequestKind(rawValue: lane.kinds[request])!
                            answeredInWindow[Int(kind.rawValue)] += 1
                            latency.record(now - due, kind: kind)
                            serviceLatency.record(now - lane.sentAt[request], kind: kind)
                        }
                        guard open else { throw UnixSocket.Failure(description: "the server closed the connection") }
                    }
                }
            } catch {
                self.error = "receive: \(error)"
            }
        }
    }
}
