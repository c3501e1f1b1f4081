import CallwardenProtocol
import Logging
import NIOCore
import ServiceLifecycle

/// One client connection: reads lines in order, answers each in the same order.
///
/// Requests that need a durable write are started at once and answered when their group commit
/// lands, so a client that pipelines many events shares commits with itself and with others; a
/// separate writer task sends answers strictly in request order.
struct Connection {
    static let window = 1024

    let channel: NIOAsyncChannel<InboundLine, ByteBuffer>
    let peer: PeerCredentials?
    let role: Role
    let handler: RequestHandler
    let logger: Logger

    func run() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                let (answers, sink) = AsyncStream.makeStream(of: PendingAnswer.self)
                let window = AnswerWindow(size: Self.window)
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask {
                        for await answer in answers {
                            let text = await answer.value
                            window.release()
                            try await outbound.write(ByteBuffer(string: text))
                        }
                    }
                    defer { sink.finish() }
                    // On shutdown, stop reading: lines already read are answered (their commits
                    // land first, the record's writer stops last), then the connection closes.
                    for try await unit in inbound.cancelOnGracefulShutdown() {
                        await window.acquire()
                        switch unit {
                        case .tooLong:
                            let error = ProtocolError(.tooLong, "line longer than \(64 * 1024) bytes; closing the connection")
                            sink.yield(PendingAnswer(ready: handler.failure(error, id: nil, type: nil)))
                            logger.warning("Closing a connection that sent an over-long line", metadata: ["peer": "\(peer.map(String.init(describing:)) ?? "?")"])
                            return
                        case .line(let bytes):
                            if bytes.readableBytes == 0 {
                                window.release()  // blank lines are keep-alives: no answer
                                continue
                            }
                            let decoded = RequestDecoder.decode(bytes.readableBytesView)
                            switch handler.answer(decoded, role: role, peer: peer) {
                            case .now(let text):
                                sink.yield(PendingAnswer(ready: text))
                            case .later(let compute):
                                let pending = PendingAnswer()
                                sink.yield(pending)
                                group.addTask { pending.fulfil(await compute()) }
                            }
                        }
                    }
                }
            }
        } catch {
            // A client that vanishes mid-answer is routine, not an error of the daemon.
            logger.debug("Connection ended: \(error)")
        }
    }
}
