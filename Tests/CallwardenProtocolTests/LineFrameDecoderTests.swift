import CallwardenProtocol
import NIOCore
import NIOEmbedded
import Testing

@Suite("Line framing")
struct LineFrameDecoderTests {
    func run(_ chunks: [[UInt8]], maximum: Int = 16, close: Bool = false) throws -> [InboundLine] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maximumLength: maximum)))
        for chunk in chunks {
            try channel.writeInbound(ByteBuffer(bytes: chunk))
        }
        if close { _ = try? channel.finish() }
        var lines: [InboundLine] = []
        while let line = try channel.readInbound(as: InboundLine.self) { lines.append(line) }
        return lines
    }

    func text(_ line: InboundLine) -> String? {
        if case .line(let buffer) = line { return String(buffer: buffer) }
        return nil
    }

    @Test("Lines arriving a byte at a time")
    func byteAtATime() throws {
        let bytes = Array("one\ntwo\r\n\nthree\n".utf8)
        let lines = try run(bytes.map { [$0] })
        #expect(lines.map(text) == ["one", "two", "three"])
    }

    @Test("Blank and whitespace-only lines are dropped, whole or a byte at a time, and at close")
    func blankLines() throws {
        let bytes = Array("\n \n\t\r\n \t \na\n  \r\n\r\nb\n   ".utf8)
        #expect(try run([bytes], close: true).map(text) == ["a", "b"])
        #expect(try run(bytes.map { [$0] }, close: true).map(text) == ["a", "b"])
        #expect(try run([Array(" x \n".utf8)]).map(text) == [" x "])
    }

    @Test("Many lines in one read")
    func manyAtOnce() throws {
        #expect(try run([Array("a\nb\nc\n".utf8)]).map(text) == ["a", "b", "c"])
    }

    @Test("A line at the limit passes; one byte more is too long, whether whole or in pieces")
    func limit() throws {
        let exact = Array(repeating: UInt8(ascii: "x"), count: 16) + [10]
        #expect(try run([exact]).map(text) == [String(repeating: "x", count: 16)])
        let over = Array(repeating: UInt8(ascii: "x"), count: 17) + [10] + Array("next\n".utf8)
        #expect(try run([over]) == [.tooLong])
        #expect(try run(over.map { [$0] }) == [.tooLong])
    }

    @Test("A long line with no newline yet is caught before it is buffered without limit")
    func longPartial() throws {
        #expect(try run([Array(repeating: UInt8(ascii: "y"), count: 40)]) == [.tooLong])
    }

    @Test("A last line without a newline is delivered at close")
    func lastLine() throws {
        #expect(try run([Array("a\nb".utf8)], close: true).map(text) == ["a", "b"])
    }
}
