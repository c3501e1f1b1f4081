import CallwardenProtocol
import NIOCore

/// The bytes a connection has received and not yet taken as lines.
///
/// Lines are cut only when the connection can take them, not as bytes arrive (as
/// `ByteToMessageHandler` would): a client that pipelines without reading its answers then costs
/// at most the bytes of one read beyond a partial line, rather than every line of every read
/// decoded and answered ahead of its budget.
struct LineInbox {
    private var bytes: ByteBuffer?
    private var decoder: LineFrameDecoder
    /// Every complete line received has been taken: what is left, if anything, is part of a line.
    private(set) var caughtUp = true

    init(maximumLineLength: Int) {
        decoder = LineFrameDecoder(maximumLength: maximumLineLength)
    }

    mutating func append(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        caughtUp = false
        if var bytes, bytes.readableBytes > 0 {
            self.bytes = nil  // keep the storage uniquely referenced: append without a copy
            // Reclaim what has been taken before growing (the read position moves on as lines go).
            if bytes.readerIndex > 0, bytes.readerIndex >= bytes.readableBytes { bytes.discardReadBytes() }
            var incoming = buffer
            bytes.writeBuffer(&incoming)
            self.bytes = bytes
        } else {
            bytes = buffer
        }
    }

    /// The next complete line (or `.tooLong`); nil when only part of a line is left.
    mutating func nextLine() -> InboundLine? {
        guard var buffer = bytes else {
            caughtUp = true
            return nil
        }
        bytes = nil
        defer { bytes = buffer }
        let line: InboundLine?
        do {
            line = try decoder.nextLine(&buffer)
        } catch {
            // The decoder's errors are its own limits: a line it cannot frame is refused as over-long.
            return .tooLong
        }
        if line == nil { caughtUp = true }
        return line
    }

    /// After end of input: the bytes left, as a last line without its newline, once.
    mutating func unterminatedLastLine() -> InboundLine? {
        guard caughtUp, var buffer = bytes, buffer.readableBytes > 0, let rest = buffer.readSlice(length: buffer.readableBytes) else { return nil }
        bytes = nil
        return .line(LineFrameDecoder.trimmingCarriageReturn(rest))
    }

    /// The start of a line is held, waiting for the rest.
    var holdsPartialLine: Bool {
        caughtUp && (bytes?.readableBytes ?? 0) > 0
    }

    /// Nothing is left to take: every complete line was taken (and, if `unterminatedToo`, the
    /// bytes after the last newline as well).
    func isExhausted(unterminatedToo: Bool) -> Bool {
        caughtUp && (!unterminatedToo || (bytes?.readableBytes ?? 0) == 0)
    }

    /// Drops everything held (input that is no longer taken as requests).
    mutating func discardAll() {
        bytes = nil
        caughtUp = true
    }
}
