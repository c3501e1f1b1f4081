import CallwardenLocking

/// Counts the connections open at once against `--max-connections`, and says when enough have
/// closed that freed memory is worth giving back.
final class OpenConnections: Sendable {
    enum Admission: Equatable {
        case admitted
        /// At the limit; `first` is set on the first refusal since the count was last below it,
        /// so that a flood is logged once, not once per connection.
        case refused(first: Bool)
    }

    private struct State {
        var open = 0
        /// The most open at once since memory was last given back.
        var peak = 0
        var refusing = false
    }

    let limit: Int
    private let state = Locked(State())

    /// A burst worth giving memory back after: this many connections or more at its peak.
    static let burst = 16

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { state.withLock { $0.open } }

    func admit() -> Admission {
        state.withLock { state in
            guard state.open < limit else {
                defer { state.refusing = true }
                return .refused(first: !state.refusing)
            }
            state.open += 1
            state.peak = max(state.peak, state.open)
            return .admitted
        }
    }

    /// A connection closed. Returns whether freed memory should be given back now: the count fell
    /// to zero, or to half a burst's peak.
    func release() -> Bool {
        state.withLock { state in
            state.open = max(0, state.open - 1)
            if state.open < limit { state.refusing = false }
            guard state.open == 0 || (state.peak >= Self.burst && state.open <= state.peak / 2) else { return false }
            state.peak = state.open
            return true
        }
    }
}
