import CallwardenLocking

/// Wakes the supervisor-timeout service when a deadline may have come nearer (a request was
/// asked for, the policy changed) or when it must stop, so that it can sleep until the next
/// deadline rather than look every few seconds.
///
/// A ring while nobody waits is kept for the next wait: a deadline set between the service's look
/// and its sleep is not missed.
final class DeadlineBell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Locked(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when rung, after `limit`, or when the task is cancelled, whichever comes first.
    func wait(upTo limit: Duration) async {
        let timer = Task { [self] in
            try? await Task.sleep(for: limit)
            ring()
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            ring()
        }
    }
}
