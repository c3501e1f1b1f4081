#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open file descriptors (RLIMIT_NOFILE).
///
/// Each connection holds one descriptor. systemd starts services with a soft limit of 1024 and a
/// far higher hard limit, expecting a program that needs more to raise its own soft limit; with
/// the default `--max-connections` of 1024 the soft limit, not the connection limit, would refuse
/// connections first, and with a less clear error.
enum DescriptorLimit {
    /// Descriptors the daemon needs besides its connections: the record, its journal, the
    /// listening socket, event loop internals, alert commands.
    static let reserved = 128

    /// Raises the soft limit (never beyond the hard limit) so that `connections` connections fit;
    /// returns the soft limit in force afterwards, or nil if it cannot be read.
    static func raise(toFit connections: Int) -> Int? {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let (wanted, overflow) = connections.addingReportingOverflow(reserved)
        let target = overflow ? limit.rlim_max : min(rlim_t(clamping: wanted), limit.rlim_max)
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
