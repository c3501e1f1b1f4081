import CallwardenRecord
import CallwardenStore
import Logging
import PostgresNIO

/// A cluster's shared record: one PostgreSQL database to which every node ships the entries it
/// committed locally, extending a single hash chain across nodes, and from which each node reads
/// the others' entries ("peer entries").
///
/// Each node keeps its own SQLite record and chain as a standalone daemon does; the shared chain
/// gives every shipped entry a shared id (1, 2, 3, ... in commit order across nodes) and a hash
/// over the previous shared hash, the entry, and whose entry it is (docs/record.md, "The shared
/// record"). Shipping is idempotent: PostgreSQL knows the highest origin id each node shipped.
///
/// TLS is not used (`SharedRecordAddress`): the server must be reached over a Unix socket,
/// loopback, or a private network.
public final class SharedRecord: Sendable {
    public let address: SharedRecordAddress
    let client: PostgresClient
    /// For `listen`, which holds a connection of its own for as long as it listens.
    let listenConfiguration: PostgresConnection.Configuration
    let logger: Logger
    /// How long an operation may wait for PostgreSQL (a connection, then its answers) before it
    /// fails: an unreachable record must be told quickly, so that the node spools rather than
    /// keeping a client waiting.
    public let timeout: Duration

    /// The most entries one INSERT carries: 19 values each, far below PostgreSQL's 65535
    /// parameters, and a statement small enough to log when it fails.
    static let rowsPerInsert = 500

    /// The most peer entries one `peerEntries` call returns, whatever it is asked for.
    public static let largestPage = 10_000

    /// Connections the pool opens at most: ships are one at a time per node; a few more for
    /// catching up, verify and status.
    public static let maximumConnections = 4

    /// - Parameters:
    ///   - password: for the address's user; nil when the server asks for none (peer or trust
    ///     authentication over a Unix socket).
    ///   - logger: the journal: PostgreSQL's background events (connections opening, failing).
    ///   - timeout: how long each operation but `verify` and `listen` may wait for PostgreSQL.
    public init(address: SharedRecordAddress, password: String?, logger: Logger, timeout: Duration = .seconds(10)) {
        self.address = address
        self.logger = logger
        self.timeout = timeout
        var configuration: PostgresClient.Configuration
        var listening: PostgresConnection.Configuration
        switch address.endpoint {
        case .tcp(let host, let port):
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: address.user, password: password, database: address.database, tls: .disable)
            listening = PostgresConnection.Configuration(
                host: host, port: port, username: address.user, password: password, database: address.database, tls: .disable)
        case .unixSocket(let directory, let port):
            let path = SharedRecordAddress.socketPath(directory: directory, port: port)
            configuration = PostgresClient.Configuration(unixSocketPath: path, username: address.user, password: password, database: address.database)
            listening = PostgresConnection.Configuration(unixSocketPath: path, username: address.user, password: password, database: address.database)
        }
        listening.options.connectTimeout = .seconds(5)
        listenConfiguration = listening
        configuration.options.maximumConnections = Self.maximumConnections
        // An unreachable record is told quickly: the node spools meanwhile.
        configuration.options.connectTimeout = .seconds(5)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Runs the connection pool until the task is cancelled (or the service group shuts down).
    /// Nothing reaches PostgreSQL while it is not running.
    public func run() async {
        await client.run()
    }

    /// Runs `body`, reporting what fails as `SharedRecordError` (see `SharedRecordError.from`).
    func reporting<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw SharedRecordError.from(error)
        }
    }

    /// Runs `body` with a connection from the pool, failing with `.database` once `timeout`
    /// passes (nil: never), and at once when the caller is cancelled. The pool queues requests for
    /// up to a minute while it cannot connect, and a query in flight cannot be cancelled; so when
    /// the operation is given up on, the wait for a connection is cancelled and a connection
    /// already held is closed, which fails its query (and rolls back its transaction, unless the
    /// commit was already sent: shipping again skips what it holds).
    ///
    /// The caller does not wait for `body` once it has given up: postgres-nio never answers a
    /// statement written to a connection after it closed (the ROLLBACK that follows a failed
    /// statement, or the first statement of the next operation to lease it), so an operation that
    /// waited for its body could wait for ever. The work goes on in a task of its own and hands
    /// the closed connection back only once it is closed, when the pool has let go of it.
    func withConnection<T: Sendable>(timeout: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = self.client
        let held = HeldConnection()
        let (outcome, settle) = AsyncThrowingStream.makeStream(of: T.self)
        let work = Task {
            do {
                settle.yield(try await client.withConnection { connection in
                    guard await held.hold(connection) else { throw CancellationError() }
                    let result: Result<T, any Error>
                    do {
                        result = .success(try await body(connection))
                    } catch {
                        result = .failure(error)
                    }
                    if await held.release() { try? await connection.closeFuture.get() }
                    return try result.get()
                })
                settle.finish()
            } catch {
                settle.finish(throwing: error)
            }
        }
        let timer = Task {
            guard let timeout, (try? await Task.sleep(for: timeout)) != nil else { return }
            settle.finish(throwing: SharedRecordError.database("PostgreSQL did not answer within \(timeout)"))
        }
        defer { timer.cancel() }
        var settled = outcome.makeAsyncIterator()
        do {
            // Nil: the caller was cancelled.
            guard let value = try await settled.next() else { throw CancellationError() }
            return value
        } catch {
            // Failed, timed out or cancelled: whatever the work still holds or waits for is let go.
            await held.expire()
            work.cancel()
            throw error
        }
    }

    /// `withConnection` within one transaction: BEGIN, `body`, COMMIT, or ROLLBACK when it throws.
    func withTransaction<T: Sendable>(timeout: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await withConnection(timeout: timeout) { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }
}

/// The connection an operation holds, so that its time-out can close it.
private actor HeldConnection {
    private var connection: PostgresConnection?
    private var expired = false

    /// False once the operation has timed out: the connection came too late to be used.
    func hold(_ connection: PostgresConnection) -> Bool {
        guard !expired else { return false }
        self.connection = connection
        return true
    }

    /// The operation is done with the connection. Returns whether its time-out is closing it:
    /// then it goes back to the pool only once closed.
    func release() -> Bool {
        connection = nil
        return expired
    }

    func expire() async {
        expired = true
        if let connection { try? await connection.close() }
        connection = nil
    }
}
