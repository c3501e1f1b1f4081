import NIOCore
import NIOPosix

/// The floor: a server that does nothing but answer. Same socket kind as callwardend (a Unix
/// stream socket served by SwiftNIO with one event loop per core), JSON lines in, and for every
/// line in, one fixed routing-decision line out, the size of a real answer.
///
/// Whatever the benchmark measures against the floor is the cost of the client, the kernel's
/// socket path and NIO itself; callwardend's figure divided by the floor's is the cost callwarden
/// adds. Ratios from one run are what get compared between commits: the machine's noise and speed
/// largely cancel out.
///
/// It does the least work a correct line server can: it counts newlines in the bytes it reads
/// (no framing into separate buffers, no parsing), writes the answers for one read in one buffer,
/// and flushes once per batch of reads.
final class FloorServer {
    static let answer = #"{"id":1,"ok":true,"route":"normal","queue":"support","priority":5,"rule":"default","reason":"No recent abuse on record.","standing":{"score":0,"incidents":0}}"# + "\n"

    let group: MultiThreadedEventLoopGroup
    let channel: any Channel

    init(path: String) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Answerer()) }
            }
        do {
            channel = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private final class Answerer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let answerBytes = Array(FloorServer.answer.utf8)
        private var unflushed = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            let lines = bytes.withUnsafeReadableBytes { raw in raw.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
            guard lines > 0 else { return }
            var out = context.channel.allocator.buffer(capacity: lines * answerBytes.count)
            for _ in 0..<lines { out.writeBytes(answerBytes) }
            context.write(wrapOutboundOut(out), promise: nil)
            unflushed = true
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            if unflushed {
                unflushed = false
                context.flush()
            }
        }
    }
}
