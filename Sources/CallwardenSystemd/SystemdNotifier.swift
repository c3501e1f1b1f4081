import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells systemd how the service is doing, through `sd_notify(3)`.
///
/// Every method is a no-op when the process was not started by systemd with `Type=notify`
/// (`NOTIFY_SOCKET` unset): libsystemd checks that itself, so the daemon can call these
/// unconditionally, also when run by hand or under a test.
///
/// The environment is never unset, so the watchdog and later notifications keep working for the
/// life of the process.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// `READY=1`: the socket is bound and the policy and store are loaded. Also ends a reload.
    @discardableResult
    public func ready() -> Bool {
        send(["READY=1"])
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=`: a reload has begun; send ``ready()`` when it is done.
    ///
    /// systemd 252 ignores `MONOTONIC_USEC`; later versions (with `Type=notify-reload`) require it
    /// to tell this reload from an older one, so it is always sent.
    @discardableResult
    public func reloading() -> Bool {
        send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
    }

    /// `STOPPING=1`: shutdown has begun, so `systemctl status` shows "deactivating" at once.
    @discardableResult
    public func stopping() -> Bool {
        send(["STOPPING=1"])
    }

    /// `STATUS=`: one sentence for `systemctl status`, such as "Serving 3 connections.".
    ///
    /// Newlines would end the assignment early (the protocol is one assignment per line), so they
    /// become spaces.
    @discardableResult
    public func status(_ text: String) -> Bool {
        send(["STATUS=\(Self.singleLine(text))"])
    }

    /// `WATCHDOG=1`: the daemon is alive. Send only after proving it, see ``WatchdogService``.
    @discardableResult
    public func watchdogPing() -> Bool {
        send(["WATCHDOG=1"])
    }

    /// `STATUS=` and `ERRNO=`: the daemon is about to exit because of a fatal error.
    ///
    /// systemd keeps both after the process has gone, so `systemctl status` explains the failure.
    @discardableResult
    public func fatal(errno: Int32, status: String) -> Bool {
        send(["STATUS=\(Self.singleLine(status))", "ERRNO=\(errno)"])
    }

    /// Sends raw `NAME=value` assignments in one datagram.
    ///
    /// - Returns: `true` if systemd was told, `false` if there is no notification socket or the
    ///   send failed (there is nobody to report that failure to but the caller).
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        let state = assignments.joined(separator: "\n")
        return sd_notify(0, state) > 0
    }

    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
