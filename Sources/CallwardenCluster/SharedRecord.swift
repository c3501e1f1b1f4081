import CallwardenLocking
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
        // Ships are one at a time per node; a few more for catching up, verify and status.
        configuration.options.maximumConnections = 4
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
    /// passes (nil: never). The pool queues requests for up to a minute while it cannot connect,
    /// and a query in flight cannot be cancelled; so on time-out the wait for a connection is
    /// cancelled and a connection already held is closed, which fails its query (and rolls back
    /// its transaction, unless the commit was already sent: shipping again skips what it holds).
    ///
    /// The time-out answers the caller whether or not the work has stopped: not a task group,
    /// which would wait for a child that does not stop when cancelled (a request queued in the
    /// pool), keeping the caller, and every acknowledgement behind it, waiting past the time-out.
    func withConnection<T: Sendable>(timeout: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = self.client
        guard let timeout else { return try await client.withConnection { connection in try await body(connection) } }
        let held = HeldConnection()
        let work = Task {
            try await client.withConnection { connection in
                guard await held.hold(connection) else { throw CancellationError() }
                let result: Result<T, any Error>
                do {
                    result = .success(try await body(connection))
                } catch {
                    result = .failure(error)
                }
                await held.release()
                return try result.get()
            }
        }
        let answer = FirstAnswer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                answer.wait(continuation)
                let timer = Task {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    if answer.give(.failure(SharedRecordError.database("PostgreSQL did not answer within \(timeout)"))) {
                        work.cancel()
                        await held.expire()
                    }
                }
                Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await work.value) } catch { result = .failure(error) }
                    if answer.give(result) { timer.cancel() }
                }
            }
        } onCancel: {
            work.cancel()
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

    func release() {
        connection = nil
    }

    func expire() async {
        expired = true
        if let connection { try? await connection.close() }
        connection = nil
    }
}

/// The first of several answers to one waiting caller: the work's, or its time-out's.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let state = Locked<(waiter: CheckedContinuation<T, any Error>?, answered: Bool)>((nil, false))

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.waiter = continuation }
    }

    /// Resumes the caller with `result` unless it was answered already; says whether it was this.
    @discardableResult
    func give(_ result: Result<T, any Error>) -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard !state.answered else { return nil }
            state.answered = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
        return waiter != nil
    }
}
