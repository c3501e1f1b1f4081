import CallwardenRecord

/// Why the record could not be opened or written. Each says what to do about it.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case cannotCreateDirectory(String, errno: Int32)
    case cannotOpen(path: String, reason: String)
    /// SQLite's integrity check failed: the file is damaged. callwarden refuses to write to it.
    case corrupt(path: String, detail: String)
    case notDurable(path: String, synchronous: Int)
    /// The writer has stopped (the daemon is shutting down).
    case closed
    /// Entries were given ids that are not the next ones: nothing was queued.
    case outOfOrder(expected: Int64, next: Int64)
    /// A write queued behind one that failed: it was decided on entries that were never recorded.
    case earlierWriteFailed
    /// The record's ids have reached their maximum.
    case idsExhausted
    /// The least id asked for this node's entries lies outside the ids the record can hold.
    case badIDFloor(Int64)
    /// An entry from the shared record cannot be stored as it is (`sharedID`: its place in the
    /// shared chain): nothing of its batch was stored.
    case badPeerEntry(sharedID: Int64, reason: String)

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
        case .outOfOrder(let expected, let next):
            return "entries numbered from \(expected) were offered when the record's next id is \(next); nothing was queued"
        case .earlierWriteFailed:
            return "an earlier write failed; this one was not attempted"
        case .idsExhausted:
            return "the record's entry ids are exhausted"
        case .badIDFloor(let floor):
            return "the first id for this node's entries must be from \(RecordLimits.ids.lowerBound) to \(RecordLimits.ids.upperBound); got \(floor)"
        case .badPeerEntry(let sharedID, let reason):
            return "the shared record's entry \(sharedID) cannot be stored here: \(reason); nothing of its batch was stored"
        }
    }
}
