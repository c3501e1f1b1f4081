import PostgresNIO

/// Why the shared record could not be read or written. Each says what is wrong for the journal;
/// none repeats a password (postgres-nio masks every bound value, and none is a password).
public enum SharedRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value in the shared record that callwarden could not have written there: a row or the
    /// chain head was edited, or a newer callwarden wrote something this one does not know.
    /// `sharedID` names the entry, when the damage is in one.
    case damaged(sharedID: Int64?, detail: String)
    /// The schema was made by a newer callwarden than this one.
    case newerSchema(version: Int64, known: Int64)
    /// The shared record's tables are not there: `prepare()` has not run against this database.
    case notPrepared
    /// Entries this node may not ship as they are (another node's ids, out of order, an entry
    /// the record cannot hold, an unknown node number): nothing was shipped.
    case refused(String)
    /// The shared record holds node `node`'s entries only through `holds`, though the node shipped
    /// through `shipped`: a PostgreSQL failover lost its last transactions. Nothing was shipped;
    /// the node ships again from `holds`.
    case behind(node: Int, holds: Int64, shipped: Int64)
    /// The listening connection ended without being cancelled: the caller listens again.
    case listenEnded
    /// PostgreSQL could not be reached, or refused a statement: the detail is for the journal.
    case database(String)

    public var description: String {
        switch self {
        case .damaged(let sharedID?, let detail):
            return "the shared record is damaged at shared entry \(sharedID): \(detail)"
        case .damaged(nil, let detail):
            return "the shared record is damaged: \(detail)"
        case .newerSchema(let version, let known):
            return "the shared record's schema is version \(version), made by a newer callwarden (this one knows up to \(known)); upgrade this node"
        case .notPrepared:
            return "the shared record has no callwarden tables in this database"
        case .refused(let reason):
            return "entries refused by the shared record: \(reason)"
        case .behind(let node, let holds, let shipped):
            return "the shared record holds node \(node)'s entries only through \(holds), though it shipped through \(shipped): PostgreSQL lost its last transactions (a failover without synchronous replication?); they are shipped again"
        case .listenEnded:
            return "the connection listening for the shared record's new entries ended"
        case .database(let detail):
            return "the shared record's PostgreSQL: \(detail)"
        }
    }

    /// `error` as one of these: ours pass through (also from inside a failed transaction),
    /// cancellation stays cancellation, anything from PostgreSQL or the network is `.database`.
    static func from(_ error: any Error) -> any Error {
        switch error {
        case let error as SharedRecordError:
            return error
        case is CancellationError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError { return from(inner) }
            if let inner = error.beginError ?? error.commitError { return from(inner) }
            return SharedRecordError.database("a transaction failed")
        case let error as PSQLError:
            // undefined_table: the database is there, callwarden's tables are not.
            if error.serverInfo?[.sqlState] == "42P01" { return SharedRecordError.notPrepared }
            return SharedRecordError.database(describe(error))
        case let error as PostgresDecodingError:
            return SharedRecordError.database("a value could not be read: \(error.code) in column \(error.columnName) (\(error.postgresType))")
        default:
            return SharedRecordError.database(String(describing: error))
        }
    }

    /// What went wrong, without the statement (which can be thousands of placeholders long):
    /// the server's own words when it answered, otherwise the kind of failure and its cause.
    static func describe(_ error: PSQLError) -> String {
        if let info = error.serverInfo {
            var text = info[.message] ?? "an error"
            if let state = info[.sqlState] { text += " (SQLSTATE \(state))" }
            if let detail = info[.detail] { text += ": \(detail)" }
            return text
        }
        var text = "\(error.code)"
        if let underlying = error.underlying { text += ": \(String(describing: underlying))" }
        return text
    }

    /// The server's SQLSTATE, when the error is PostgreSQL's answer.
    static func sqlState(_ error: any Error) -> String? {
        switch error {
        case let error as PSQLError: return error.serverInfo?[.sqlState]
        case let error as PostgresTransactionError: return (error.closureError ?? error.commitError).flatMap(sqlState)
        default: return nil
        }
    }
}
