import Synchronization

/// A response that may not be ready yet: filled once by whoever computes it, awaited by the
/// connection's writer, which writes answers strictly in request order.
final class PendingAnswer: Sendable {
    private enum State {
        case waiting(CheckedContinuation<String, Never>?)
        case ready(String)
    }

    private let state: Mutex<State>

    init() {
        state = Mutex(.waiting(nil))
    }

    init(ready text: String) {
        state = Mutex(.ready(text))
    }

    func fulfil(_ text: String) {
        let waiter = state.withLock { state -> CheckedContinuation<String, Never>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .ready(text)
            return continuation
        }
        waiter?.resume(returning: text)
    }

    var value: String {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> String? in
                    switch state {
                    case .ready(let text): return text
                    case .waiting: state = .waiting(continuation); return nil
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}

/// Bounds how many answers one connection may have outstanding, so a client that pipelines
/// without reading cannot make the daemon buffer without limit: reading stops until the writer
/// catches up.
final class AnswerWindow: Sendable {
    private struct State {
        var available: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(size: Int) {
        state = Mutex(State(available: size))
    }

    func acquire() async {
        let acquired = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                // Hand the slot straight to the waiting reader.
                state.waiter = nil
                return waiter
            }
            state.available += 1
            return nil
        }
        waiter?.resume()
    }
}
