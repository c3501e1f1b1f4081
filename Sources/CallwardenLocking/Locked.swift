import CThreadSanitizer
import Synchronization

/// A value guarded by a lock: Swift's `Mutex`, told to the thread sanitizer.
///
/// Why not `Mutex` alone: on Linux a contended `Mutex` hands the lock over through a futex, which
/// the thread sanitizer does not see, so it reports races on data only ever touched under the
/// lock (a 20-line program of two threads appending under one `Mutex` shows it). Every lock of
/// callwarden goes through this type, which marks each hold as an acquire and a release of the
/// lock for the sanitizer. Outside a sanitizer build, the marks are a test of a null pointer.
public struct Locked<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    private let mutex: Mutex<Value>
    /// The address the sanitizer knows this lock by.
    private let identity = Identity()

    private final class Identity {}

    public init(_ value: consuming sending Value) {
        mutex = Mutex(value)
    }

    public borrowing func withLock<Result: ~Copyable, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        let address = Unmanaged.passUnretained(identity).toOpaque()
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            callwarden_tsan_acquire(address)
            defer { callwarden_tsan_release(address) }
            return try body(&value)
        }
    }
}
