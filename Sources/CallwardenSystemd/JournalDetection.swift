#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whether this process's standard error goes straight to the journal.
public enum JournalDetection {
    /// `true` when `JOURNAL_STREAM` names the device and inode of fd 2, the check `systemd.exec(5)`
    /// documents. systemd sets `JOURNAL_STREAM` for a service whose stderr is a journal stream; the
    /// variable survives into children whose stderr was redirected elsewhere, hence comparing it
    /// with what fd 2 really is.
    public static func isStderrConnectedToJournal() -> Bool {
        guard let value = getenv("JOURNAL_STREAM") else { return false }
        return matches(journalStream: String(cString: value), fd: STDERR_FILENO)
    }

    /// Whether `journalStream` (`<device>:<inode>`, both decimal) names the file open on `fd`.
    public static func matches(journalStream: String, fd: Int32) -> Bool {
        let parts = journalStream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else {
            return false
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}
