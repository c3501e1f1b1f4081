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
    /// For `listen`, which holds a connection of its own for as long as it listens.
    let listenConfiguration: PostgresConnection.Configuration
    /// Shipping, and what the drain asks before it ships (`prepare`, `shippedThrough`): one at a
    /// time, on a connection of their own that reconnects at once (`DedicatedConnection`).
    let shippingLine: DedicatedConnection
    /// Catching up on other nodes' entries, likewise.
    let readingLine: DedicatedConnection
    /// For everything else (`verify`, `export`, status), a connection per call: rare, and each
    /// may hold a transaction of its own.
    let connectionConfiguration: PostgresConnection.Configuration
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
        var listening: PostgresConnection.Configuration
        switch address.endpoint {
        case .tcp(let host, let port):
            listening = PostgresConnection.Configuration(
                host: host, port: port, username: address.user, password: password, database: address.database, tls: .disable)
        case .unixSocket(let directory, let port):
            let path = SharedRecordAddress.socketPath(directory: directory, port: port)
            listening = PostgresConnection.Configuration(unixSocketPath: path, username: address.user, password: password, database: address.database)
        }
        listening.options.connectTimeout = .seconds(5)
        listenConfiguration = listening
        var dedicated = listening
        dedicated.options.connectTimeout = TimeAmount(timeout)
        connectionConfiguration = dedicated
        shippingLine = DedicatedConnection(configuration: dedicated, logger: logger)
        readingLine = DedicatedConnection(configuration: dedicated, logger: logger)
    }

    /// Closes the connections kept for shipping and catching up. Before the record is let go: a
    /// connection must be closed before it is freed.
    public func close() async {
        await shippingLine.drop()
        await readingLine.drop()
    }

    /// Runs `body`, reporting what fails as `SharedRecordError` (see `SharedRecordError.from`).
    func reporting<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw SharedRecordError.from(error)
        }
    }

    /// Runs `body` on a connection, failing with `.database` once `timeout` passes (nil: never):
    /// on `line` (shipping, catching up), else on a connection opened for this call and closed
    /// after it. On time-out the work is cancelled: if it has the connection, the connection is
    /// closed, which fails a query in flight (and rolls back its transaction, unless the commit
    /// was already sent: shipping again skips what the shared record holds).
    ///
    /// No connection pool: PostgresClient's pool backs off up to a minute between attempts to
    /// connect while PostgreSQL is away, which would keep a node spooling, and its `verify`
    /// failing, for up to a minute after PostgreSQL is back.
    func withConnection<T: Sendable>(
        timeout: Duration?, on line: DedicatedConnection? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        guard let line else {
            let once = DedicatedConnection(configuration: connectionConfiguration, logger: logger)
            do {
                let result = try await answered(within: timeout) { try await once.use(body) }
                await once.drop()
                return result
            } catch {
                await once.drop()
                throw error
            }
        }
        return try await answered(within: timeout) { try await line.use(body) }
    }

    /// Runs `work` and answers with its result, or with `.database` once `timeout` passes (nil:
    /// never), whichever comes first; on time-out the work is cancelled (`DedicatedConnection.use`
    /// then closes the connection it holds) and not waited for.
    private func answered<T: Sendable>(within timeout: Duration?, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let timeout else { return try await work() }
        let task = Task { try await work() }
        let answer = FirstAnswer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                answer.wait(continuation)
                let timer = Task {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    if answer.give(.failure(SharedRecordError.database("PostgreSQL did not answer within \(timeout)"))) { task.cancel() }
                }
                Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await task.value) } catch { result = .failure(error) }
                    if answer.give(result) { timer.cancel() }
                }
            }
        } onCancel: {
            // The caller stops waiting at once: the work, cancelled, may never end.
            answer.give(.failure(CancellationError()))
            task.cancel()
        }
    }

    /// `withConnection` within one transaction: BEGIN, `body`, COMMIT, or ROLLBACK when it throws.
    func withTransaction<T: Sendable>(
        timeout: Duration?, on line: DedicatedConnection? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await withConnection(timeout: timeout, on: line) { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }
}

/// The first of several answers to one waiting caller: the work's, its time-out's, or the caller's
/// cancellation. An answer given before the caller waits is kept for it.
private final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var waiter: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var answered = false
    }

    private let state = Locked<State>(State())

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            guard let early = state.early else {
                state.waiter = continuation
                return nil
            }
            state.early = nil
            return early
        }
        if let early { continuation.resume(with: early) }
    }

    /// Resumes the caller with `result` unless it was answered already; says whether it was this.
    @discardableResult
    func give(_ result: Result<T, any Error>) -> Bool {
        let (first, waiter) = state.withLock { state -> (Bool, CheckedContinuation<T, any Error>?) in
            guard !state.answered else { return (false, nil) }
            state.answered = true
            guard let waiter = state.waiter else {
                state.early = result
                return (true, nil)
            }
            state.waiter = nil
            return (true, waiter)
        }
        waiter?.resume(with: result)
        return first
    }
}
