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
        public var roles: RoleMap
        public var limits: ConnectionLimits

        public init(target: BindTarget, roles: RoleMap, limits: ConnectionLimits = ConnectionLimits()) {
            self.target = target
            self.roles = roles
            self.limits = limits
        }
    }

    private let configuration: Configuration
    private let handler: RequestHandler
    private let feed: EventFeed
    private let logger: Logger
    private let group: any EventLoopGroup
    private let onRunning: @Sendable () async -> Void
    /// Connections open now, against `--max-connections`.
    private let open: OpenConnections

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
        open = OpenConnections(limit: configuration.limits.maximumConnections)
    }

    /// Connections served now (for the metrics endpoint).
    public var connectionCount: Int { open.count }

    public func run() async throws {
        let limits = configuration.limits
        if let soft = DescriptorLimit.raise(toFit: limits.maximumConnections), soft < limits.maximumConnections + DescriptorLimit.reserved {
            logger.warning("Open files are limited to \(soft): fewer than --max-connections \(limits.maximumConnections) can be served; raise LimitNOFILE=")
        }
        let listener = try await bind()
        logger.info("Listening on \(describe(configuration.target)); at most \(limits.maximumConnections) connections")
        await onRunning()
        try await listener.executeThenClose { inbound in
            try await withGracefulShutdownHandler {
                // A discarding group: a plain task group would keep every finished connection's
                // result until the server stops, a leak over months of uptime.
                try await withThrowingDiscardingTaskGroup { tasks in
                    for try await accepted in inbound {
                        // A refused connection has been told why and is closing by itself.
                        guard let control = accepted.control else { continue }
                        tasks.addTask {
                            await withGracefulShutdownHandler {
                                // The connection serves itself on its event loop; it closes once
                                // it has answered every line it took.
                                try? await accepted.channel.closeFuture.get()
                            } onGracefulShutdown: {
                                control.shutDown()
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

    /// A connection as accepted: its channel and the handler that serves it (nil if refused).
    private struct Accepted: Sendable {
        var channel: any Channel
        var control: ConnectionControl?
    }

    private func bind() async throws -> NIOAsyncChannel<Accepted, Never> {
        let limits = configuration.limits
        let reserve = DescriptorReserve()
        let open = self.open
        let freed = FreedMemory()
        let (handler, feed, logger, roles) = (self.handler, self.feed, self.logger, configuration.roles)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptFailureHandler(reserve: reserve, logger: logger))
                }
            }
            // Clients that half-close after sending (socat, nc -N) still get their answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // What a client that does not read can leave in the channel: past the high mark the
            // connection takes no more lines until it drains below the low one.
            .childChannelOption(.writeBufferWaterMark, value: limits.writeBufferWaterMark)
            // One bounded read at a time: the bytes a connection holds beyond a partial line are
            // at most one read's.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: limits.maximumReadSize))
            .childChannelOption(.maxMessagesPerRead, value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Accepted> = { channel in
            if reserve.isSpent {
                // Out of descriptors: this connection used the one the reserve gave up.
                channel.closeFuture.whenComplete { _ in reserve.reacquire() }
                return Self.refuse(channel, "out of file descriptors; try again later")
            }
            switch open.admit() {
            case .admitted:
                channel.closeFuture.whenComplete { _ in
                    if open.release() { freed.giveBackSoon() }
                }
            case .refused(let first):
                logger.log(level: first ? .warning : .debug, "Refused a connection: \(open.limit) are open (--max-connections)")
                return Self.refuse(channel, "too many connections (at most \(open.limit)); try again later")
            }
            return PeerCredentials.of(channel).flatMapThrowing { peer in
                if let peer, peer.groups == nil {
                    logger.warning("Could not read the groups of the peer \(peer): only its uid and primary group count for its role")
                }
                let connection = ConnectionHandler(handler: handler, feed: feed, peer: peer, limits: limits, logger: logger)
                try channel.pipeline.syncOperations.addHandler(connection)
                // The role is the kernel's word on the peer, mapped without any look-up, so the
                // connection starts at once, on its event loop.
                connection.start(role: roles.role(of: peer))
                return Accepted(channel: channel, control: ConnectionControl(connection, eventLoop: channel.eventLoop))
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

    /// Tells a connection the daemon will not serve it, and closes it.
    private static func refuse(_ channel: any Channel, _ message: String) -> EventLoopFuture<Accepted> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RefusalHandler(message))
            return Accepted(channel: channel, control: nil)
        }
    }

    private func describe(_ target: BindTarget) -> String {
        switch target {
        case .path(let path, let mode): "\(path) (mode \(String(mode, radix: 8)))"
        case .inherited(let fd): "the socket passed by the service manager (fd \(fd))"
        }
    }
}
