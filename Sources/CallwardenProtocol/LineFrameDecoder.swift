import NIOCore

/// One inbound unit of the protocol: a line, or the news that a line was too long.
public enum InboundLine: Sendable, Equatable {
    case line(ByteBuffer)
    /// A line exceeded the limit. The connection is answered `too_long` and closed.
    case tooLong
}

/// Splits a byte stream into `\n`-terminated lines of at most `maximumLength` bytes. Blank lines
/// (nothing but spaces, tabs and a `\r`) are keep-alives: they are dropped here and get no answer.
///
/// NIOExtras' LineBasedFrameDecoder has no limit, and `ByteToMessageHandler`'s buffer limit only
/// catches partial lines still buffered: a long line that arrives whole would pass. This decoder
/// checks every line, whether it arrived whole or a byte at a time, and stops reading after the
/// first over-long one.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = InboundLine

    public let maximumLength: Int
    private var searchedUpTo = 0
    private var overflowed = false

    public init(maximumLength: Int = 64 * 1024) {
        self.maximumLength = maximumLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let line = try nextLine(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(line))
        return overflowed ? .needMoreData : .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while let line = try nextLine(&buffer) {
            context.fireChannelRead(wrapInboundOut(line))
            if overflowed { return .needMoreData }
        }
        // A last line without its newline still counts: some clients omit it before closing.
        if !overflowed, buffer.readableBytes > 0, let rest = buffer.readSlice(length: buffer.readableBytes), !Self.isBlank(rest) {
            context.fireChannelRead(wrapInboundOut(.line(Self.trimmingCarriageReturn(rest))))
        }
        return .needMoreData
    }

    /// The next complete line that is not blank, `.tooLong` once, or nil when more bytes are needed.
    public mutating func nextLine(_ buffer: inout ByteBuffer) throws -> InboundLine? {
        while let unit = try nextAnyLine(&buffer) {
            if case .line(let line) = unit, Self.isBlank(line) { continue }
            return unit
        }
        return nil
    }

    /// Whether a line holds only JSON white space other than `\n` (space, tab, `\r`).
    public static func isBlank(_ line: ByteBuffer) -> Bool {
        line.readableBytesView.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// The next complete line, `.tooLong` once, or nil when more bytes are needed.
    private mutating func nextAnyLine(_ buffer: inout ByteBuffer) throws -> InboundLine? {
        if overflowed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return nil
        }
        let view = buffer.readableBytesView
        let start = view.index(view.startIndex, offsetBy: min(searchedUpTo, view.count))
        guard let newline = view[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            searchedUpTo = view.count
            if view.count > maximumLength {
                overflowed = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return .tooLong
            }
            return nil
        }
        let length = newline - view.startIndex
        searchedUpTo = 0
        if length > maximumLength {
            overflowed = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .tooLong
        }
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        return .line(Self.trimmingCarriageReturn(line))
    }

    public static func trimmingCarriageReturn(_ line: ByteBuffer) -> ByteBuffer {
        var line = line
        if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        return line
    }
}
