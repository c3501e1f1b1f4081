import CallwardenLocking
import Dispatch

/// Hands chunks of entries from the thread that reads the record to the thread that replays
/// them, at most `capacity` chunks ahead, so that reading (half a replay's time) and replaying
/// overlap on two cores while memory stays bounded.
final class Handoff<Chunk: Sendable>: Sendable {
    private let queue = Locked<[Result<Chunk, any Error>?]>([])
    /// Places left for the reader.
    private let free: DispatchSemaphore
    /// Chunks (or the end) waiting for the replayer.
    private let filled = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        free = DispatchSemaphore(value: max(1, capacity))
    }

    /// Waits for a place, then passes `chunk` on.
    func put(_ chunk: Chunk) {
        free.wait()
        queue.withLock { $0.append(.success(chunk)) }
        filled.signal()
    }

    /// The reader is done, with an error if it failed. Called once; needs no place.
    func finish(_ error: (any Error)?) {
        queue.withLock { $0.append(error.map { .failure($0) }) }
        filled.signal()
    }

    /// The next chunk, nil once the reader is done; rethrows the reader's error.
    func take() throws -> Chunk? {
        filled.wait()
        let next = queue.withLock { $0.removeFirst() }
        guard let next else { return nil }
        free.signal()
        return try next.get()
    }
}
