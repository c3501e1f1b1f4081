#if canImport(Glibc)
import Glibc
#endif

/// The monotonic clock in nanoseconds. Every latency and rate in the benchmark is measured with it:
/// a raw `clock_gettime` costs tens of nanoseconds, where `ContinuousClock.now` plus `Duration`
/// arithmetic would show up in a client that takes a timestamp per request.
enum Monotonic {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    static func seconds(since start: UInt64) -> Double {
        Double(nanoseconds() &- start) / 1e9
    }

    /// Sleeps until `deadline` (monotonic nanoseconds); returns at once if it has passed.
    static func sleep(until deadline: UInt64) {
        let now = nanoseconds()
        guard deadline > now else { return }
        let delta = deadline - now
        var request = timespec(tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1, errno == EINTR { request = remaining }
    }

    /// Linux rounds every sleep up by the thread's timer slack (50 µs by default). An open-loop
    /// sender that sleeps between requests must not be late by that much, so its thread asks for
    /// 1 ns of slack.
    static func tightenTimerSlack() {
        // prctl(2) is variadic in C, so Swift does not import it; look it up with its fixed-arity
        // kernel signature instead.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        let setTimerSlack: Int32 = 29  // PR_SET_TIMERSLACK
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        _ = unsafeBitCast(symbol, to: Prctl.self)(setTimerSlack, 1, 0, 0, 0)
    }
}
