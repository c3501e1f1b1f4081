import CallwardenLocking
import CallwardenProtocol
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The metrics endpoint: HTTP/1.1 `GET /metrics` on a loopback address or a Unix socket, served
/// on an event loop of its own, so that rendering a scrape never runs on a thread that is serving
/// the protocol's connections.
///
/// Bound before the daemon says READY (`start`), so an address in use stops the start with a
/// clear error; served until graceful shutdown (`run`).
public final class MetricsServer: Service {
    public let address: MetricsAddress
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let logger: Logger

    private init(address: MetricsAddress, group: MultiThreadedEventLoopGroup, listener: any Channel, logger: Logger) {
        self.address = address
        self.group = group
        self.listener = listener
        self.logger = logger
    }

    /// Why the endpoint could not be bound.
    public struct BindFailed: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds `address`.
    /// - Parameters:
    ///   - socketMode: the Unix socket file's permissions (ignored for TCP).
    ///   - render: the exposition, called on the endpoint's own thread for each `GET /metrics`.
    public static func start(
        address: MetricsAddress, socketMode: UInt16 = 0o660, limits: MetricsLimits = MetricsLimits(),
        logger: Logger, render: @escaping @Sendable () -> [UInt8]
    ) async throws -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let open = Locked(0)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                let admitted = open.withLock { count -> Bool in
                    guard count < limits.maximumConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else {
                    return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(BusyHandler()) }
                }
                // However the connection ends, its slot is given back and its deadline cancelled.
                let deadline = channel.eventLoop.scheduleTask(in: limits.connectionTimeout) { channel.close(promise: nil) }
                channel.closeFuture.whenComplete { _ in
                    deadline.cancel()
                    open.withLock { $0 -= 1 }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(RequestSizeGuard(limit: limits.maximumRequestBytes))
                    try operations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try operations.addHandler(MetricsHTTPHandler(render: render))
                }
            }
        do {
            let listener: any Channel
            switch address {
            case .tcp(let host, let port):
                listener = try await bootstrap.bind(host: host, port: port).get()
            case .unix(let path):
                try prepareSocketPath(path)
                // As the protocol socket: the file never exists with looser permissions, even for
                // an instant (NIO cannot set a socket file's mode).
                let previous = umask(~mode_t(socketMode) & 0o777)
                defer { umask(previous) }
                listener = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            }
            logger.info("Metrics served at \(address) (GET /metrics)")
            return MetricsServer(address: address, group: group, listener: listener, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            if let failed = error as? BindFailed { throw failed }
            throw BindFailed(description: "cannot serve metrics at \(address): \(error)")
        }
    }

    public func run() async throws {
        // Serves until shutdown, then closes the listener; connections still open are closed with
        // the event loop.
        let asked = Locked(false)
        try? await withTaskCancellationOrGracefulShutdownHandler {
            try await listener.closeFuture.get()
        } onCancelOrGracefulShutdown: { [listener] in
            asked.withLock { $0 = true }
            listener.close(promise: nil)
        }
        if !asked.withLock({ $0 }) {
            logger.error("The metrics endpoint at \(address) stopped by itself; calls are still routed, metrics are not served until callwardend restarts")
        }
        if case .unix(let path) = address { unlink(path) }
        try? await group.shutdownGracefully()
    }

    /// A stale socket file may be replaced; a live one (another callwardend's) or anything that is
    /// not a socket may not.
    private static func prepareSocketPath(_ path: String) throws {
        // As the protocol socket's: the directory is made if missing (bind then says what is wrong).
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw BindFailed(description: "cannot serve metrics at unix:\(path): it exists and is not a socket; refusing to replace it")
        }
        if let fd = try? UnixSocketAddress.connect(path) {
            close(fd)
            throw BindFailed(description: "cannot serve metrics at unix:\(path): something is answering there (another callwardend?)")
        }
    }
}
