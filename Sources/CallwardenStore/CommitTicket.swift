import CallwardenLocking

/// A place in the group-commit queue: the entries' ids are known at once, their durability once
/// the batch that holds them commits.
public final class CommitTicket: Sendable {
    /// The ids the entries will have in the record, in order.
    public let ids: [Int64]

    private enum State {
        case waiting([CheckedContinuation<[StoredEntry], any Error>])
        case done(Result<[StoredEntry], any Error>)
    }

    private let state = Locked<State>(.waiting([]))

    init(ids: [Int64]) {
        self.ids = ids
    }

    /// A ticket for entries that were never queued.
    init(refused error: any Error) {
        ids = []
        state.withLock { $0 = .done(.failure(error)) }
    }

    /// Whether the entries were refused at once, without being queued (the writer has stopped,
    /// or the ids the caller gave them were not the next ones).
    public var isRefused: Bool {
        state.withLock { state in
            if case .done(.failure) = state, ids.isEmpty { return true }
            return false
        }
    }

    /// Whether the ticket has its outcome: its writes are answered.
    var isComplete: Bool {
        state.withLock { state in
            if case .done = state { return true }
            return false
        }
    }

    /// Returns the entries as stored once their commit is durable; throws if it failed (nothing
    /// of this ticket was recorded then).
    public func wait() async throws -> [StoredEntry] {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<[StoredEntry], any Error>? in
                switch state {
                case .done(let result): return result
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    func complete(_ result: Result<[StoredEntry], any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<[StoredEntry], any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
