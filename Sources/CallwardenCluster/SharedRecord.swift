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

    /// The most entries one INSERT carries: 19 values each, far below PostgreSQL's 65535
    /// parameters, and a statement small enough to log when it fails.
    static let rowsPerInsert = 500

    /// The most peer entries one `peerEntries` call returns, whatever it is asked for.
    public static let largestPage = 10_000

    /// - Parameters:
    ///   - password: for the address's user; nil when the server asks for none (peer or trust
    ///     authentication over a Unix socket).
    ///   - logger: the journal: PostgreSQL's background events (connections opening, failing).
    public init(address: SharedRecordAddress, password: String?, logger: Logger) {
        self.address = address
        self.logger = logger
        var configuration: PostgresClient.Configuration
        switch address.endpoint {
        case .tcp(let host, let port):
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: address.user, password: password, database: address.database, tls: .disable)
            listenConfiguration = PostgresConnection.Configuration(
                host: host, port: port, username: address.user, password: password, database: address.database, tls: .disable)
        case .unixSocket(let directory, let port):
            let path = SharedRecordAddress.socketPath(directory: directory, port: port)
            configuration = PostgresClient.Configuration(unixSocketPath: path, username: address.user, password: password, database: address.database)
            listenConfiguration = PostgresConnection.Configuration(unixSocketPath: path, username: address.user, password: password, database: address.database)
        }
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
}
