#if canImport(Glibc)
import Glibc
#endif

/// Splits what a connection reads into answer lines and says whether each one is a success.
///
/// Answers arrive in request order (protocol v1), so the n-th line answers the n-th request: the
/// drivers need no id matching, only a count. A read may end inside a line; the rest is kept for
/// the next read.
struct AnswerReader {
    static let capacity = 1 << 18

    let buffer: UnsafeMutableRawBufferPointer
    private var filled = 0

    init() {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.capacity, alignment: 16)
    }

    func deallocate() { buffer.deallocate() }

    /// Reads once from `socket` (blocking) and calls `answer(ok, line)` for each complete line.
    /// Returns false at end of stream.
    mutating func read(from socket: UnixSocket, _ answer: (Bool, UnsafeRawBufferPointer) -> Void) throws -> Bool {
        guard filled < Self.capacity else { throw UnixSocket.Failure(description: "an answer longer than \(Self.capacity) bytes") }
        let count = try socket.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        if count == 0 { return false }
        let base = buffer.baseAddress!
        let end = filled + count
        var lineStart = 0
        // Only the new bytes can hold a newline: the kept part had none.
        var searchFrom = filled
        while searchFrom < end, let found = memchr(base + searchFrom, Int32(UInt8(ascii: "\n")), end - searchFrom) {
            let newline = base.distance(to: found)
            let line = UnsafeRawBufferPointer(start: base + lineStart, count: newline - lineStart)
            answer(Self.isSuccess(line), line)
            lineStart = newline + 1
            searchFrom = lineStart
        }
        if lineStart < end, lineStart > 0 { memmove(base, base + lineStart, end - lineStart) }
        filled = end - lineStart
        return true
    }

    /// `"ok":true` near the start of the line: the daemon writes `id` and `ok` first.
    static func isSuccess(_ line: UnsafeRawBufferPointer) -> Bool {
        let pattern: StaticString = #""ok":t"#
        let length = pattern.utf8CodeUnitCount
        let limit = min(line.count, 96) - length
        guard limit >= 0 else { return false }
        for offset in 0...limit where line[offset] == UInt8(ascii: "\"") {
            if memcmp(line.baseAddress! + offset, pattern.utf8Start, length) == 0 { return true }
        }
        return false
    }
}
