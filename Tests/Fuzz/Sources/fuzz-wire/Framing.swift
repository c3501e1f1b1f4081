import CallwardenProtocol
import NIOCore

/// Line framing: the same lines whether the stream arrives whole or in reads of any size, none
/// holding a newline, none blank, none longer than the limit.
enum Framing {
    /// Small, so that over-long lines are within the fuzzer's reach.
    static let maximumLength = 512

    /// The lines of `stream` (the last one delivered at close, as the daemon does).
    static func check(_ stream: [UInt8], chunk: Int) -> [InboundLine] {
        let whole = lines(stream, chunk: 0)
        if chunk > 0 {
            let pieces = lines(stream, chunk: chunk)
            require(pieces == whole, "framing in reads of \(chunk) bytes differs from whole: \(pieces) vs \(whole)")
        }
        for (index, line) in whole.enumerated() {
            switch line {
            case .tooLong:
                require(index == whole.count - 1, "a line was delivered after too_long")
            case .line(let buffer):
                let bytes = Array(buffer.readableBytesView)
                require(!bytes.contains(UInt8(ascii: "\n")), "a line holds a newline")
                require(bytes.count <= maximumLength, "a line is longer than the limit")
                require(!bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }, "a blank line was delivered")
            }
        }
        return whole
    }

    /// Feeds `stream` as reads of `chunk` bytes (0: all at once) through one cumulation buffer,
    /// as NIO's ByteToMessageHandler does, then the rest at close.
    static func lines(_ stream: [UInt8], chunk: Int) -> [InboundLine] {
        var decoder = LineFrameDecoder(maximumLength: maximumLength)
        var buffer = ByteBuffer()
        var lines: [InboundLine] = []
        var overflowed = false
        var offset = 0
        repeat {
            let end = chunk == 0 ? stream.count : min(stream.count, offset + chunk)
            buffer.writeBytes(stream[offset..<end])
            offset = end
            while let line = try? decoder.nextLine(&buffer) {
                lines.append(line)
                if line == .tooLong { overflowed = true }
            }
            buffer.discardReadBytes()
        } while offset < stream.count
        if !overflowed, buffer.readableBytes > 0, !LineFrameDecoder.isBlank(buffer) {
            var rest = buffer
            if rest.getInteger(at: rest.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") { rest.moveWriterIndex(to: rest.writerIndex - 1) }
            lines.append(.line(rest))
        }
        return lines
    }
}
