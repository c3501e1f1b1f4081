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
    private let feed: EventFeed
    private let logger: Logger
    private let group: any EventLoopGroup
    private let onRunning: @Sendable () async -> Void

    /// - Parameters:
    ///   - feed: the live feed `tail` clients follow; the daemon publishes its own events to it too.
    ///   - onRunning: called once the socket is listening (where the daemon says READY).
    public init(configuration: Configuration, handler: RequestHandler, feed: EventFeed = EventFeed(), logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, onRunning: @escaping @Sendable () async -> Void = {}) {
        self.configuration = configuration
        self.handler = handler
        self.feed = feed
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
                    for try await accepted in inbound {
                        // The role is looked up here, off the event loop (it may ask the group
                        // database); the connection reads nothing until it has it.
                        let role = configuration.roles.role(of: accepted.peer)
                        tasks.addTask {
                            await withGracefulShutdownHandler {
                                accepted.control.start(role: role)
                                // The connection serves itself on its event loop; it closes once
                                // it has answered every line it took.
                                try? await accepted.channel.closeFuture.get()
                            } onGracefulShutdown: {
                                accepted.control.shutDown()
                            }
                        }
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

    /// A connection as accepted: its channel, the peer, and the handler that serves it.
    private struct Accepted: Sendable {
        var channel: any Channel
        var peer: PeerCredentials?
        var control: ConnectionControl
    }

    private func bind() async throws -> NIOAsyncChannel<Accepted, Never> {
        let maximumLineLength = configuration.maximumLineLength
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            // Clients that half-close after sending (socat, nc -N) still get their answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let (handler, feed, logger) = (self.handler, self.feed, self.logger)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Accepted> = { channel in
            PeerCredentials.of(channel).flatMapThrowing { peer in
                let connection = ConnectionHandler(handler: handler, feed: feed, peer: peer, logger: logger)
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLength: maximumLineLength)))
                try channel.pipeline.syncOperations.addHandler(connection)
                return Accepted(channel: channel, peer: peer, control: ConnectionControl(connection, eventLoop: channel.eventLoop))
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
