import Logging
import PostgresNIO

extension SharedRecord {
    /// Listens for new entries in the shared record on a connection of its own, until the task
    /// is cancelled (then it returns) or the connection is lost (then it throws, and the caller
    /// listens again).
    ///
    /// `onNotice` is called once as soon as the LISTEN is in place, since anything committed
    /// before then was notified to nobody here, and then once per commit to the shared chain (any
    /// node's, this node's own included). It should only wake the catch-up: notifications can be
    /// merged or lost with a connection, so the caller reads `peerEntries` from what it has stored.
    ///
    /// Every `heartbeat` the connection is asked `SELECT 1`; no answer within it counts as lost,
    /// so that a server gone silent (a network partition, where TCP would wait many minutes)
    /// is noticed.
    public func listen(heartbeat: Duration = .seconds(30), _ onNotice: @escaping @Sendable () -> Void) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: listenConfiguration, id: 0, logger: logger)
        } catch {
            throw SharedRecordError.from(error)
        }
        let logger = self.logger
        do {
            // A statement in flight (the heartbeat's, or the LISTEN) cannot be cancelled, and a
            // server gone silent never answers it: closing the connection fails it, so that a
            // cancelled listener returns (and the daemon can stop) whatever the server does.
            try await withTaskCancellationHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await connection.listen(on: SharedSchema.channel) { notifications in
                            onNotice()
                            for try await _ in notifications {
                                onNotice()
                            }
                        }
                        // The notifications end without an error only when the listener is cancelled.
                        if !Task.isCancelled { throw SharedRecordError.listenEnded }
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try await Task.sleep(for: heartbeat)
                            try await Self.answers(connection, within: heartbeat, logger: logger)
                        }
                    }
                    // Whichever ends first (a failure, or cancellation) ends the other.
                    defer { group.cancelAll() }
                    try await group.next()
                }
            } onCancel: {
                _ = connection.close() as EventLoopFuture<Void>
            }
        } catch {
            try? await connection.close()
            if Task.isCancelled { return }
            throw SharedRecordError.from(error)
        }
        try? await connection.close()
    }

    /// Throws unless `connection` answers `SELECT 1` within `limit`. A query in flight cannot be
    /// cancelled, so on time-out the connection is closed, which fails it.
    private static func answers(_ connection: PostgresConnection, within limit: Duration, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await connection.query("SELECT 1", logger: logger).collect()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                try? await connection.close()
                return false
            }
            defer { group.cancelAll() }
            guard try await group.next() == true else {
                throw SharedRecordError.database("the listening connection did not answer within \(limit)")
            }
        }
    }
}
