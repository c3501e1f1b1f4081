import CallwardenLocking
import Dispatch
import Foundation

/// Shares a loop over `0..<count` out to threads of its own (not Swift's cooperative pool, whose
/// few threads serve the daemon's connections; not Dispatch's, whose threads the caller cannot
/// lower in priority), this thread taking the first share.
enum Parallel {
    static func run<Share: Sendable>(
        workers: Int, count: Int, threadSetup: @escaping @Sendable () -> Void, _ body: @escaping @Sendable (Range<Int>) -> Share
    ) -> [Share] {
        let workers = max(1, min(workers, count / 1024 + 1))
        let size = (count + workers - 1) / workers
        let ranges = (0..<workers).map { index in min(count, index * size)..<min(count, (index + 1) * size) }
        let shares = Locked<[Int: Share]>([:])
        let done = DispatchSemaphore(value: 0)
        for (index, range) in ranges.enumerated().dropFirst() {
            let thread = Thread {
                threadSetup()
                let share = body(range)
                shares.withLock { $0[index] = share }
                done.signal()
            }
            thread.name = "callwarden replay \(index)"
            thread.start()
        }
        let first = body(ranges[0])
        for _ in ranges.dropFirst() { done.wait() }
        let others = shares.withLock { $0 }
        return [first] + (1..<ranges.count).compactMap { others[$0] }
    }
}
