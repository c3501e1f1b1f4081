/// Why the record could not be opened or written. Each says what to do about it.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case cannotCreateDirectory(String, errno: Int32)
    case cannotOpen(path: String, reason: String)
    /// SQLite's integrity check failed: the file is damaged. callwarden refuses to write to it.
    case corrupt(path: String, detail: String)
    case notDurable(path: String, synchronous: Int)
    /// The writer has stopped (the daemon is shutting down).
    case closed

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let errno):
            return "cannot create the state directory \(path) (errno \(errno)); create it, owned by the daemon's user"
        case .cannotOpen(let path, let reason):
            return "cannot open the record \(path): \(reason)"
        case .corrupt(let path, let detail):
            return "the record \(path) is damaged (\(detail)); callwarden will not write to it. Keep the file for recovery (sqlite3 \(path) .recover) and start with a copy restored from backup"
        case .notDurable(let path, let synchronous):
            return "the record \(path) could not be set to synchronous=FULL (got \(synchronous)); refusing to acknowledge writes that a power cut could lose"
        case .closed:
            return "the record is closed"
        }
    }
}
