import CallwardenProtocol
import Testing

/// Text is stored exactly as received, or refused: never cut, never replaced.
@Suite("Text from the wire")
struct WireTextTests {
    func error(_ text: String) -> ProtocolError? {
        if case .failure(let error) = RequestDecoder.decode(Array(text.utf8)).request { return error }
        return nil
    }

    @Test("A NUL in any text field is bad_request naming the field", arguments: [
        (#"{"type":"abuse","caller":"+447700900123","kind":"verbal","note":"before\u0000after"}"#, "note"),
        (#"{"type":"abuse","caller":"+447700900123","kind":"verbal","agent":"a\u00007"}"#, "agent"),
        (#"{"type":"abuse","call":"c\u0000","kind":"verbal"}"#, "call"),
        (#"{"type":"abuse","caller":"+44770090\u00000123","kind":"verbal"}"#, "caller"),
        (#"{"type":"abuse","caller":"+447700900123","kind":"verbal\u0000"}"#, "kind"),
        (#"{"type":"forgive","caller":"+447700900123","reason":"calm\u0000"}"#, "reason"),
        (#"{"type":"supervisor","call":"c","verdict":"approve","supervisor":"\u0000"}"#, "supervisor"),
        (#"{"type":"call.offered","call":"c","caller":"x","dialed":"0800\u0000"}"#, "dialed"),
    ])
    func nul(line: String, field: String) throws {
        let refused = try #require(error(line))
        #expect(refused.code == .badRequest)
        #expect(refused.message == "'\(field)' must not contain NUL (\\u0000)")
    }

    @Test("Unpaired surrogate escapes are bad_request, not replaced", arguments: [
        #"{"type":"abuse","caller":"x","kind":"verbal","note":"\ud800"}"#,
        #"{"type":"abuse","caller":"x","kind":"verbal","note":"\udc00"}"#,
        #"{"type":"abuse","caller":"x","kind":"verbal","note":"\ud800\u0041"}"#,
        #"{"type":"abuse","caller":"x","kind":"verbal","note":"\ud800x"}"#,
        #"{"type":"abuse","caller":"x","kind":"verbal","note":"\udbff\udbff"}"#,
    ])
    func surrogates(_ line: String) throws {
        let refused = try #require(error(line))
        #expect(refused.code == .badRequest)
        #expect(refused.message.contains("surrogate"))
    }

    @Test("Invalid UTF-8 is bad_request, with or without escapes beside it", arguments: [
        [0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
    ] as [[UInt8]])
    func invalidUTF8(_ bad: [UInt8]) {
        for prefix in ["", #"\n"#] {
            let line = Array(#"{"type":"abuse","caller":"x","kind":"verbal","note":"ok\#(prefix)"#.utf8) + bad + Array(#""}"#.utf8)
            guard case .failure(let error) = RequestDecoder.decode(line).request else {
                Issue.record("accepted \(bad) after '\(prefix)'")
                continue
            }
            #expect(error.code == .badRequest)
            #expect(error.message.contains("invalid UTF-8"))
        }
    }

    @Test("Every other code point is kept exactly, escaped or not")
    func keptExactly() throws {
        let note = "a\u{1}\u{1F}\u{7F}\u{80}\u{FFFD}\u{FFFE}\u{FFFF}\u{10FFFF}\u{1F600}e\u{301}\u{E9}\"\\/"
        var escaped = ""
        JSONWriter.appendQuoted(note, to: &escaped)
        let plain = #"{"type":"abuse","caller":"x","kind":"verbal","note":\#(escaped)}"#
        let viaEscapes = #"{"type":"abuse","caller":"x","kind":"verbal","note":"a\u0001\u001f\u007f\u0080\ufffd\ufffe\uffff\udbff\udfff\ud83d\ude00e\u0301\u00e9\"\\\/"}"#
        for line in [plain, viaEscapes] {
            guard case .abuse(_, _, _, _, let decoded?, _, _) = try RequestDecoder.decode(Array(line.utf8)).request.get() else {
                Issue.record("no note in \(line)")
                continue
            }
            #expect(Array(decoded.utf8) == Array(note.utf8))
        }
    }
}
