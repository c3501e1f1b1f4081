import CallwardenLocking

/// Lets one piece of work run at a time and refuses the others at once rather than queueing
/// them: a second policy test while one runs is answered `unavailable`, so that tests cannot pile
/// up behind each other, each holding a connection and the memory of a replay.
final class OneAtATime: Sendable {
    private let busy = Locked(false)

    /// Whether the work may start now; if so, `finished()` must follow.
    func tryStart() -> Bool {
        busy.withLock { busy in
            guard !busy else { return false }
            busy = true
            return true
        }
    }

    func finished() {
        busy.withLock { $0 = false }
    }
}
