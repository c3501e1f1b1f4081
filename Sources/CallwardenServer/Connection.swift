import CallwardenProtocol
import Logging
import NIOCore

/// One client connection, served on its channel's event loop: takes lines in order, answers each
/// in the same order. What the connection may do next is `ConnectionState`'s to say; this handler
/// tells it what happens on the channel and carries out its actions.
///
/// A request answered from memory (a routing decision, which is most of the traffic) is decoded,
/// decided and written without leaving the event loop's thread. Handing each line to a Swift task
/// and its answer back to the event loop cost two thread wake-ups per request, which on a small
/// machine were most of a decision's CPU time and most of its latency.
///
/// Requests that need a durable write are started at once, in order, and answered when their group
/// commit lands, so a client that pipelines many events shares commits with itself and with
/// others; their answers wait in the state's queue so that every answer leaves in request order.
/// The answers ready after one read leave in as few writes as fit and one flush.
///
/// Memory per connection is bounded: lines are cut from the input only while the client's answers
/// fit its budget (`ConnectionState.Budget`) and the channel is under its high-water mark; past
/// that, nothing more is read until the client reads.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Answers are written in buffers of about this size, so that writability is checked between them.
    static let writeChunk = 64 * 1024

    /// Lines taken in one turn of the event loop before the connection lets the others on its loop
    /// have theirs: a client that pipelines thousands of lines does not hold up another's one.
    static let linesPerTurn = 64

    private let handler: RequestHandler
    private let feed: EventFeed
    /// This connection's feed lines, kept in request order.
    private var feedOrder = FeedOrder()
    private let peer: PeerCredentials?
    private let limits: ConnectionLimits
    private let logger: Logger

    private var state: ConnectionState
    private var inbox: LineInbox
    private var context: ChannelHandlerContext?
    private var lastWrite: EventLoopFuture<Void>?
    /// Runs while the daemon waits for the rest of a partial line.
    private var partialLineDeadline: Scheduled<Void>?

    init(handler: RequestHandler, feed: EventFeed, peer: PeerCredentials?, limits: ConnectionLimits, logger: Logger) {
        self.handler = handler
        self.feed = feed
        self.peer = peer
        self.limits = limits
        self.logger = logger
        self.state = ConnectionState(budget: limits.budget)
        self.inbox = LineInbox(maximumLineLength: limits.maximumLineLength)
    }

    // MARK: Control from the server

    /// Starts taking lines, once the peer's role is known.
    func start(role: Role) {
        state.roleKnown(role)
        pump()
    }

    func shutDown() {
        perform(state.shutDown())
        pump()
    }

    // MARK: Inbound

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state.writabilityChanged(context.channel.isWritable)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        partialLineDeadline?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !state.discardsInput else { return }
        inbox.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        pump()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        state.writabilityChanged(writable)
        // Fired from inside a write or a flush: carry on at the next turn rather than re-enter.
        if writable { pumpAtNextTurn() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? ChannelEvent == .inputClosed {
            perform(state.inputEnded())
            pump()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partialLineDeadline?.cancel()
        perform(state.connectionLost())
        inbox.discardAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that vanishes mid-answer is routine, not an error of the daemon.
        logger.debug("Connection ended: \(error)")
        context.close(promise: nil)
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if state.readRequested(inputCaughtUp: inbox.caughtUp) { context.read() }
    }

    // MARK: Taking lines and writing answers

    /// Takes every line the state allows and writes every answer the channel takes, until neither
    /// moves; then closes, arms the partial-line limit or reads, as the state says.
    private func pump() {
        guard let context else { return }
        var taken = 0
        var moved = true
        while moved, taken < Self.linesPerTurn {
            let took = takeLines(upTo: Self.linesPerTurn - taken, context: context)
            taken += took
            moved = writeAnswers(context: context) || took > 0
        }
        if taken >= Self.linesPerTurn {
            // More may be waiting: carry on at the next turn, after the other connections' events.
            pumpAtNextTurn()
        }
        if state.discardsInput { inbox.discardAll() }
        updatePartialLineDeadline(restart: taken > 0, context: context)
        perform(state.closeIfDone(inputExhausted: inbox.isExhausted(unterminatedToo: state.takesUnterminatedLastLine)))
        if state.resumeHeldRead(inputCaughtUp: inbox.caughtUp) { context.read() }
    }

    /// Takes lines while the state allows, at most `limit`; returns how many.
    private func takeLines(upTo limit: Int, context: ChannelHandlerContext) -> Int {
        var taken = 0
        while taken < limit, let role = state.roleForNextLine {
            guard let unit = inbox.nextLine() ?? (state.takesUnterminatedLastLine ? inbox.unterminatedLastLine() : nil) else { break }
            take(unit, role: role, context: context)
            taken += 1
        }
        return taken
    }

    private func take(_ unit: InboundLine, role: Role, context: ChannelHandlerContext) {
        switch unit {
        case .tooLong:
            let error = ProtocolError(.tooLong, "line longer than \(limits.maximumLineLength) bytes; closing the connection")
            state.lineRefused(handler.failure(error, id: nil, type: nil))
            logger.warning("Closing a connection that sent an over-long line", metadata: ["peer": "\(peerDescription)"])
        case .line(let bytes):
            // Blank lines (nothing, or only spaces and tabs) are keep-alives: no answer.
            guard bytes.readableBytesView.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return }
            let decoded = RequestDecoder.decode(bytes.readableBytesView)
            // A place in this connection's feed order, only while someone follows the feed.
            let place = feed.carries(decoded.type) ? feedOrder.reserve() : nil
            switch handler.answer(decoded, role: role, peer: peer) {
            case .now(let text):
                state.answered(text)
                if let place { publish(place, type: decoded.type, request: Array(bytes.readableBytesView), answer: text) }
            case .later(let compute):
                let number = state.answerLater()
                let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
                let eventLoop = context.eventLoop
                // A copy, and only if the feed wants it: a slice would keep the whole read's
                // buffer alive until the answer comes back.
                let type = decoded.type
                let request = place == nil ? nil : Array(bytes.readableBytesView)
                Task {
                    let text = await compute()
                    eventLoop.execute {
                        connection.value.filled(number, with: text)
                        if let place, let request { connection.value.publish(place, type: type, request: request, answer: text) }
                    }
                }
            case .subscribe(let text):
                perform(state.tailAnswered(text, feed: feed.subscribe()))
            case .supervise(let text):
                // The same machinery as `tail`, on a subscription that takes only the supervisor
                // notices and starts with what is pending.
                perform(state.tailAnswered(text, feed: feed.subscribeSupervisor()))
            }
        }
    }

    private func filled(_ number: Int, with text: String) {
        perform(state.filled(number, with: text))
    }

    /// Publishes a request's feed line once every earlier request of this connection has its own.
    private func publish(_ place: Int, type: String?, request: [UInt8], answer: String) {
        let line = type.flatMap { FeedLine.event(type: $0, request: request, answer: answer) }
        for ready in feedOrder.fill(place, with: line) { feed.publish(ready) }
    }

    /// Pumps again at the next turn of the event loop: for answers that came back together, for a
    /// channel that drained, for lines left after a turn's share.
    private func pumpAtNextTurn() {
        guard let context else { return }
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            connection.value.state.writeStarted()
            connection.value.pump()
        }
    }

    /// Writes the ready answers at the front of the queue while the channel takes them, in chunks,
    /// with one flush; returns whether anything was written.
    private func writeAnswers(context: ChannelHandlerContext) -> Bool {
        var out: ByteBuffer?
        var wrote = false
        var follow: FeedSubscription?
        func send(_ buffer: ByteBuffer) {
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.write(wrapOutboundOut(buffer), promise: promise)
            // Writes complete in order: the last one done means all are.
            lastWrite = promise.futureResult
            wrote = true
            // Past the high-water mark the channel says so at once: stop there.
            state.writabilityChanged(context.channel.isWritable)
        }
        while let (text, then) = state.nextAnswer() {
            var buffer = out ?? context.channel.allocator.buffer(capacity: 1024)
            buffer.writeString(text)
            out = buffer
            if case .follow(let subscription) = then { follow = subscription }
            if follow != nil || buffer.readableBytes >= Self.writeChunk {
                send(buffer)
                out = nil
            }
            if follow != nil { break }
        }
        if let out { send(out) }
        if wrote { context.flush() }
        if let follow { self.follow(follow, context: context) }
        return wrote
    }

    private func perform(_ action: ConnectionState.Action?) {
        switch action {
        case nil:
            break
        case .scheduleWrite:
            pumpAtNextTurn()
        case .follow(let subscription):
            if let context { follow(subscription, context: context) }
        case .endFeed(let subscription):
            // Unsubscribed here as well as when the feed's task ends: a feed whose answer was
            // never written has no task, and would otherwise stay subscribed for good.
            feed.unsubscribe(subscription)
        case .close:
            closeAfterWrites()
        }
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
                connection.value.perform(connection.value.state.feedEnded())
            }
        }
    }

    private func closeAfterWrites() {
        guard let context else { return }
        partialLineDeadline?.cancel()
        let channel = context.channel
        if let lastWrite {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }

    // MARK: The partial-line time limit

    /// Arms the limit when the daemon starts waiting for the rest of a line (again from now if
    /// lines were taken: a new partial line began), and disarms it when it no longer waits.
    private func updatePartialLineDeadline(restart: Bool, context: ChannelHandlerContext) {
        guard state.waitsForRestOfLine(inputHoldsPartialLine: inbox.holdsPartialLine) else {
            partialLineDeadline?.cancel()
            partialLineDeadline = nil
            return
        }
        guard partialLineDeadline == nil || restart else { return }
        partialLineDeadline?.cancel()
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        partialLineDeadline = context.eventLoop.scheduleTask(in: limits.partialLineTimeout) {
            connection.value.partialLineExpired()
        }
    }

    private func partialLineExpired() {
        partialLineDeadline = nil
        guard state.waitsForRestOfLine(inputHoldsPartialLine: inbox.holdsPartialLine) else { return }
        let seconds = limits.partialLineTimeout.nanoseconds / 1_000_000_000
        let error = ProtocolError(.tooLong, "line not finished within \(seconds) s; closing the connection")
        state.lineRefused(handler.failure(error, id: nil, type: nil))
        inbox.discardAll()
        logger.warning("Closing a connection that left a line unfinished for \(seconds) s", metadata: ["peer": "\(peerDescription)"])
        pump()
    }

    private var peerDescription: String { peer.map(String.init(describing:)) ?? "?" }
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
