import CallwardenProtocol
import NIOCore

/// Serves a connection the daemon will not take: one `unavailable` line saying why, then close.
/// Added by the channel initializer, which runs before the channel is registered, so the line is
/// written once the channel is active.
final class RefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let line: String

    init(_ message: String) {
        line = Responses.failure(ProtocolError(.unavailable, message), id: nil)
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: line))).whenComplete { _ in
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Whatever the client sent is not read as requests.
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension RefusalHandler: Sendable {}
