import CallwardenProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The protocol v1 listener: binds (or inherits) the Unix socket, accepts connections, and gives
/// each its own task. Runs as a `Service`: on graceful shutdown it stops accepting, lets open
/// connections finish their lines, and returns.
public final class EventServer: Service {
    public struct Configuration: Sendable {
        public var target: BindTarget
        public var maximumLineLength: Int
        public var roles: RoleMap

        public init(target: BindTarget, maximumLineLength: Int = 64 * 1024, roles: RoleMap) {
            self.target = target
            self.maximumLineLength = maximumLineLength
            self.roles = roles
        }
    }

    private let configuration: Configuration
    private let handler: RequestHandler
    private let logger: Logger
    private let group: any EventLoopGroup
    private let onRunning: @Sendable () async -> Void

    /// - Parameter onRunning: called once the socket is listening (where the daemon says READY).
    public init(configuration: Configuration, handler: RequestHandler, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, onRunning: @escaping @Sendable () async -> Void = {}) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.group = group
        self.onRunning = onRunning
    }

    public func run() async throws {
        let listener = try await bind()
        logger.info("Listening on \(describe(configuration.target))")
        await onRunning()
        try await listener.executeThenClose { inbound in
            try await withGracefulShutdownHandler {
                // A discarding group: a plain task group would keep every finished connection's
                // result until the server stops, a leak over months of uptime.
                try await withThrowingDiscardingTaskGroup { tasks in
                    for try await (channel, peer) in inbound {
                        let connection = Connection(
                            channel: channel, peer: peer, role: configuration.roles.role(of: peer), handler: handler, logger: logger)
                        tasks.addTask { await connection.run() }
                    }
                }
            } onGracefulShutdown: {
                // Close the listener rather than abandon the accept loop: connections already
                // accepted are still handed over (and each finishes its lines), none is dropped.
                listener.channel.close(promise: nil)
            }
        }
        if case .path(let path, _) = configuration.target {
            unlink(path)
        }
        logger.info("Stopped listening")
    }

    private func bind() async throws -> NIOAsyncChannel<(NIOAsyncChannel<InboundLine, ByteBuffer>, PeerCredentials?), Never> {
        let maximumLineLength = configuration.maximumLineLength
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            // Clients that half-close after sending (socat, nc -N) still get their answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<(NIOAsyncChannel<InboundLine, ByteBuffer>, PeerCredentials?)> = { channel in
            PeerCredentials.of(channel).flatMapThrowing { peer in
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLength: maximumLineLength)))
                let wrapped = try NIOAsyncChannel<InboundLine, ByteBuffer>(
                    wrappingChannelSynchronously: channel,
                    configuration: .init(isOutboundHalfClosureEnabled: true))
                return (wrapped, peer)
            }
        }
        switch configuration.target {
        case .inherited(let socket):
            return try await bootstrap.bind(socket, childChannelInitializer: initializer)
        case .path(let path, let mode):
            try SocketPath.prepare(path)
            // NIO cannot set the socket file's mode: narrow the umask around bind instead, so the
            // socket never exists with looser permissions, even for an instant.
            let previous = umask(~mode_t(mode) & 0o777)
            defer { umask(previous) }
            return try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
        }
    }

    private func describe(_ target: BindTarget) -> String {
        switch target {
        case .path(let path, let mode): "\(path) (mode \(String(mode, radix: 8)))"
        case .inherited(let fd): "the socket passed by the service manager (fd \(fd))"
        }
    }
}
