import CLinuxShims
import Synchronization

/// Gives memory freed after a burst of connections back to the system.
///
/// glibc keeps what its per-thread arenas free for reuse: after hundreds of connections that each
/// held their budget of answers close, the daemon's resident size would stay at its peak for good.
/// `malloc_trim(0)` returns the free pages of every arena. It runs off the event loops (it walks
/// the heap, holding each arena's lock), a second after the burst and again later: answers still
/// being computed for clients that left are freed only when they finish.
final class FreedMemory: Sendable {
    private let scheduled = Atomic<Bool>(false)

    /// Seconds after the trigger at which memory is given back.
    static let passes: [Int] = [1, 5, 30]

    func giveBackSoon() {
        guard scheduled.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        Task.detached(priority: .background) { [self] in
            var elapsed = 0
            for pass in Self.passes {
                try? await Task.sleep(for: .seconds(pass - elapsed))
                elapsed = pass
                // A burst that begins now gets passes of its own.
                if pass == Self.passes.last { self.scheduled.store(false, ordering: .relaxed) }
                _ = callwarden_release_free_memory()
            }
        }
    }
}
