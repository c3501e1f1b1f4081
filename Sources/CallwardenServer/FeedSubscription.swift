import CallwardenLocking

/// One `tail` client's queue of feed lines. Publishing never waits: when the queue is full (in
/// lines or in bytes) the line is dropped and counted, and the client gets a `dropped` notice in its
/// place, so a slow subscriber costs the daemon at most `capacity` lines and `maximumBytes` bytes
/// of memory and never delays a decision.
public final class FeedSubscription: Sendable {
    private enum Item {
        case line(String)
        case dropped(Int)
    }

    private struct State {
        var items: [Item] = []
        var start = 0
        var lines = 0
        var bytes = 0
        var waiter: CheckedContinuation<String?, Never>?
        var cancelled = false
    }

    let capacity: Int
    let maximumBytes: Int
    /// The events this subscriber takes (`supervise`: the supervisor notices); nil: every line (`tail`).
    let events: Set<String>?
    private let state = Locked(State())

    static let defaultMaximumBytes = 256 * 1024

    /// - Parameter first: a line to send before any other (`supervise`'s snapshot of what is
    ///   pending). It is not held to the bounds: it is made once, and bounded where it is made.
    init(capacity: Int, maximumBytes: Int = FeedSubscription.defaultMaximumBytes, events: Set<String>? = nil, first: String? = nil) {
        self.capacity = capacity
        self.maximumBytes = maximumBytes
        self.events = events
        if let first { state.withLock { $0.items.append(.line(first)) } }
    }

    /// Whether this subscriber takes lines of `event` (nil: a line every subscriber takes).
    func takes(_ event: String?) -> Bool {
        guard let events else { return true }
        return event.map(events.contains) ?? false
    }

    /// Queues a line, or counts it as dropped when the queue is full.
    func offer(_ line: String) {
        let waiter = state.withLock { state -> (CheckedContinuation<String?, Never>, String)? in
            guard !state.cancelled else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, line)
            }
            let size = line.utf8.count
            if state.lines < capacity, state.bytes + size <= maximumBytes {
                state.items.append(.line(line))
                state.lines += 1
                state.bytes += size
            } else if case .dropped(let count) = state.items.last {
                state.items[state.items.count - 1] = .dropped(count + 1)
            } else {
                // One slot beyond capacity for the notice: it says where the gap is.
                state.items.append(.dropped(1))
            }
            return nil
        }
        if let (waiter, line) = waiter { waiter.resume(returning: line) }
    }

    /// The next line to send, waiting for one; nil once cancelled (or the task is).
    func next() async -> String? {
        await withTaskCancellationHandler {
            await take()
        } onCancel: {
            cancel()
        }
    }

    private func take() async -> String? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> String?? in
                if state.start < state.items.count {
                    let item = state.items[state.start]
                    state.start += 1
                    if case .line(let line) = item {
                        state.lines -= 1
                        state.bytes -= line.utf8.count
                    }
                    // Compact now and then rather than shifting the array on every line.
                    if state.start > 256, state.start * 2 > state.items.count {
                        state.items.removeFirst(state.start)
                        state.start = 0
                    }
                    switch item {
                    case .line(let line): return .some(line)
                    case .dropped(let count): return .some(FeedLine.dropped(count))
                    }
                }
                if state.cancelled { return .some(nil) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends the subscription: a waiting `next()` returns nil.
    func cancel() {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            state.cancelled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
