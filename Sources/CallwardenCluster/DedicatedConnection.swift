import Logging
import PostgresNIO

/// One PostgreSQL connection kept for one sequential kind of work (shipping, or catching up),
/// opened when first needed and dropped at the first error, so that the next use connects again
/// at once.
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

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `body` on the connection, opening it first if there is none; an error drops it.
    func use<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await current()
        do {
            return try await body(connection)
        } catch {
            await drop()
            throw error
        }
    }

    /// Closes the connection (failing a query in flight on it); the next use opens another.
    func drop() async {
        let closing = connection
        connection = nil
        try? await closing?.close()
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
