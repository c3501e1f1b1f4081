import CallwardenProtocol
import Logging
import NIOCore

/// One client connection, served on its channel's event loop: reads lines in order, answers each
/// in the same order.
///
/// A request answered from memory (a routing decision, which is most of the traffic) is decoded,
/// decided and written without leaving the event loop's thread. Handing each line to a Swift task
/// and its answer back to the event loop cost two thread wake-ups per request, which on a small
/// machine were most of a decision's CPU time and most of its latency.
///
/// Requests that need a durable write are started at once, in order, and answered when their group
/// commit lands, so a client that pipelines many events shares commits with itself and with
/// others; their answers wait in `AnswerQueue` so that every answer leaves in request order.
/// The answers ready after one read (all the lines a pipelining client sent at once) leave in one
/// write and one flush.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = InboundLine
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Answers one connection may have outstanding: a client that pipelines without reading
    /// cannot make the daemon buffer without limit, reading stops until the answers are taken.
    static let window = 1024

    private let handler: RequestHandler
    private let feed: EventFeed
    private let peer: PeerCredentials?
    private let logger: Logger

    /// Known once the server has looked the peer up; reading starts then.
    private var role: Role?
    /// Lines that came before the role was known: a client that sends and half-closes at once
    /// has all its input delivered at end of input, whether a read was asked for or not.
    private var early: [InboundLine] = []
    private var answers = AnswerQueue()
    private var context: ChannelHandlerContext?
    /// A read the pipeline asked for while reading was paused.
    private var heldRead = false
    /// The client will send nothing more (it half-closed, or the connection is going).
    private var inputClosed = false
    /// Graceful shutdown: lines already read are answered; no more are taken.
    private var stopping = false
    /// After an over-long line: answer what came before it and that line, then close.
    private var closeWhenDrained = false
    /// After `tail`, the connection is a feed: further lines are not requests.
    private var following: FeedSubscription?
    private var writeScheduled = false
    private var closing = false
    private var lastWrite: EventLoopFuture<Void>?

    init(handler: RequestHandler, feed: EventFeed, peer: PeerCredentials?, logger: Logger) {
        self.handler = handler
        self.feed = feed
        self.peer = peer
        self.logger = logger
    }

    // MARK: Control from the server

    /// Starts reading, once the peer's role is known.
    func start(role: Role) {
        self.role = role
        let lines = early
        early = []
        if !stopping {
            for unit in lines { take(unit, role: role) }
        }
        writeReady()
    }

    func shutDown() {
        stopping = true
        following?.cancel()
        finishIfDone()
    }

    // MARK: Inbound

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let unit = unwrapInboundIn(data)
        guard let role else {
            early.append(unit)
            return
        }
        take(unit, role: role)
    }

    private func take(_ unit: InboundLine, role: Role) {
        // Lines after shutdown began, after an over-long line or after `tail` are not requests.
        guard !stopping, !closeWhenDrained, following == nil, let context else { return }
        switch unit {
        case .tooLong:
            let error = ProtocolError(.tooLong, "line longer than \(64 * 1024) bytes; closing the connection")
            answers.append(ready: handler.failure(error, id: nil, type: nil))
            logger.warning("Closing a connection that sent an over-long line", metadata: ["peer": "\(peer.map(String.init(describing:)) ?? "?")"])
            closeWhenDrained = true
        case .line(let bytes):
            guard bytes.readableBytes > 0 else { return }  // blank lines are keep-alives: no answer
            let decoded = RequestDecoder.decode(bytes.readableBytesView)
            switch handler.answer(decoded, role: role, peer: peer) {
            case .now(let text):
                answers.append(ready: text)
                feed.offer(type: decoded.type, request: bytes, answer: text)
            case .later(let compute):
                let number = answers.appendPending()
                let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
                let eventLoop = context.eventLoop
                Task { [feed] in
                    let text = await compute()
                    eventLoop.execute { connection.value.fill(number, with: text) }
                    feed.offer(type: decoded.type, request: bytes, answer: text)
                }
            case .subscribe(let text):
                let subscription = feed.subscribe()
                following = subscription
                answers.append(ready: text, subscription: subscription)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writeReady()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { writeReady() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? ChannelEvent == .inputClosed {
            inputClosed = true
            following?.cancel()
            writeReady()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inputClosed = true
        following?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that vanishes mid-answer is routine, not an error of the daemon.
        logger.debug("Connection ended: \(error)")
        context.close(promise: nil)
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if readingAllowed {
            context.read()
        } else {
            heldRead = true
        }
    }

    // MARK: Answers

    private var readingAllowed: Bool {
        role != nil && !stopping && !closeWhenDrained && !inputClosed && answers.count < Self.window
    }

    private func resumeReadingIfAllowed() {
        guard heldRead, readingAllowed, let context else { return }
        heldRead = false
        context.read()
    }

    /// A pending answer is ready. Written at the next turn of the event loop, so that answers of
    /// one group commit that come back together leave together.
    private func fill(_ number: Int, with text: String) {
        answers.fill(number, with: text)
        guard !writeScheduled, let context else { return }
        writeScheduled = true
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute { connection.value.writeReady() }
    }

    /// Writes every answer ready at the front of the queue, in one write and one flush.
    private func writeReady() {
        writeScheduled = false
        guard let context, context.channel.isActive else { return }
        // A client that does not read: keep the answers queued (reading pauses once the window is
        // full) rather than in the socket's unbounded send queue.
        guard context.channel.isWritable else { return }
        var out: ByteBuffer?
        while let (text, subscription) = answers.popReady() {
            if out == nil { out = context.channel.allocator.buffer(capacity: 256 * (answers.count + 1)) }
            out!.writeString(text)
            if let subscription {
                flush(&out, context: context)
                follow(subscription, context: context)
                break
            }
        }
        flush(&out, context: context)
        resumeReadingIfAllowed()
        finishIfDone()
    }

    private func flush(_ out: inout ByteBuffer?, context: ChannelHandlerContext) {
        guard let buffer = out else { return }
        out = nil
        lastWrite = context.writeAndFlush(wrapOutboundOut(buffer))
    }

    /// Sends the feed's lines until the subscription ends (the client leaves or the daemon stops),
    /// then closes the connection.
    private func follow(_ subscription: FeedSubscription, context: ChannelHandlerContext) {
        let channel = context.channel
        let feed = self.feed
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        Task {
            while let line = await subscription.next() {
                do {
                    try await channel.writeAndFlush(ByteBuffer(string: line + "\n")).get()
                } catch {
                    break
                }
            }
            feed.unsubscribe(subscription)
            channel.eventLoop.execute {
                connection.value.following = nil
                connection.value.closeAfterWrites()
            }
        }
    }

    /// Closes the connection once it has nothing more to answer and will be asked nothing more.
    private func finishIfDone() {
        guard role != nil, answers.isEmpty, following == nil, inputClosed || stopping || closeWhenDrained else { return }
        closeAfterWrites()
    }

    private func closeAfterWrites() {
        guard !closing, let context else { return }
        closing = true
        let channel = context.channel
        if let lastWrite {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}

/// What the server holds of a connection: a way to start it and to stop it, from any thread.
struct ConnectionControl: Sendable {
    private let connection: NIOLoopBound<ConnectionHandler>
    private let eventLoop: any EventLoop

    init(_ connection: ConnectionHandler, eventLoop: any EventLoop) {
        self.connection = NIOLoopBound(connection, eventLoop: eventLoop)
        self.eventLoop = eventLoop
    }

    func start(role: Role) {
        eventLoop.execute { connection.value.start(role: role) }
    }

    func shutDown() {
        eventLoop.execute { connection.value.shutDown() }
    }
}
