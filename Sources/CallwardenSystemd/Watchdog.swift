import CSystemd

/// Whether systemd expects watchdog pings from this process, and how often.
public enum Watchdog {
    /// The unit's `WatchdogSec=`, or `nil` when the watchdog is off for this process.
    ///
    /// Uses `sd_watchdog_enabled(3)`, which reads `WATCHDOG_USEC` and honours `WATCHDOG_PID`, so a
    /// child that inherited the environment does not think it must ping. The environment is left
    /// in place.
    public static func interval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else {
            return nil
        }
        return .microseconds(Int64(clamping: microseconds))
    }
}
