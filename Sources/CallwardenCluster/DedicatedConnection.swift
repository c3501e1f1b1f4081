import Logging
import PostgresNIO

/// One PostgreSQL connection kept for one kind of work (shipping, or catching up), opened when
/// first needed and dropped at the first error, so that the next use connects again at once.
/// Uses take turns, in the order they came: a transaction never shares the connection with
/// another use's statements.
///
/// Not the pool: while it cannot connect, PostgresClient's pool backs off up to a minute between
/// attempts, so after a long outage a node would spool (and its peers stay unaware) for up to a
/// minute longer than the outage. The node's own pause between attempts (the drain's, at most a
/// few seconds) is the only back-off here.
actor DedicatedConnection {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextID = 1
    /// The turn of the use that has the connection, if any, and those waiting, in order.
    private var holder: Int?
    private var waiting: [(turn: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextTurn = 0

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `body` on the connection once earlier uses are done, opening it first if there is
    /// none; an error drops it. Cancelled while waiting, it leaves the queue. Cancelled while
    /// running, it gives up the connection at once (`abandon`).
    func use<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let turn = nextTurn
        nextTurn += 1
        try await waitFor(turn)
        // An abandoned use has passed the connection on already.
        defer { if holder == turn { passOn() } }
        do {
            let connection = try await current()
            return try await withTaskCancellationHandler {
                try await body(connection)
            } onCancel: {
                Task { await self.abandon(turn) }
            }
        } catch {
            if holder == turn { await drop() }
            throw error
        }
    }

    /// Closes the connection (failing a query in flight on it); the next use opens another.
    func drop() async {
        let closing = connection
        connection = nil
        try? await closing?.close()
    }

    /// The use `turn`, if it still has the connection, was cancelled: the connection is closed,
    /// which fails a query in flight (a statement sent cannot be cancelled, and a server gone
    /// silent would never answer it), and the next use gets a new one without waiting for this
    /// one to end. It may never end: postgres-nio never answers a statement written after the
    /// connection closed, such as the ROLLBACK that follows the failed query; its caller has
    /// been answered by then (`SharedRecord.answered`).
    private func abandon(_ turn: Int) async {
        guard holder == turn else { return }
        let closing = connection
        connection = nil
        passOn()
        try? await closing?.close()
    }

    private func waitFor(_ turn: Int) async throws {
        guard holder != nil else {
            holder = turn
            return
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append((turn, continuation))
            }
        } onCancel: {
            Task { await self.leave(turn) }
        }
    }

    /// The use that has the connection is done: the next one waiting gets it.
    private func passOn() {
        guard !waiting.isEmpty else {
            holder = nil
            return
        }
        let next = waiting.removeFirst()
        holder = next.turn
        next.continuation.resume()
    }

    /// A use cancelled while waiting leaves the queue (one given the connection already runs,
    /// and its cancellation closes the connection instead).
    private func leave(_ turn: Int) {
        guard let index = waiting.firstIndex(where: { $0.turn == turn }) else { return }
        waiting.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private func current() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let id = nextID
        nextID += 1
        let opened = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        connection = opened
        return opened
    }
}
