import CallwardenProtocol
import Testing

@Suite("JSON lines")
struct JSONParserTests {
    @Test("Valid JSON")
    func valid() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"y\\z\u00e9\ud83d\ude00", "c": {}} "#)
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(value["b"]?.string == "x\"y\\zé😀")
        #expect(value["c"] == .object([:]))
    }

    @Test("Malformed JSON is refused", arguments: [
        "", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":01}", "{\"a\":-}", "{\"a\":1} x", "nul",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{'a':1}", "{\"a\":\"line\nbreak\"}", "{\"a\":1,\"a\":2}",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func malformed(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test("Invalid UTF-8 in a string is refused")
    func invalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(bytes) }
    }

    @Test("The writer escapes what must be escaped and round-trips")
    func writer() throws {
        var writer = JSONWriter()
        writer.field("text", "quote \" backslash \\ newline \n tab \t bell \u{07} é")
        writer.field("score", 1.23456789)
        writer.field("whole", 2.0)
        writer.field("none", nil as String?)
        let line = writer.line()
        #expect(line.hasSuffix("}\n"))
        let parsed = try JSONParser.parse(line)
        #expect(parsed["text"]?.string == "quote \" backslash \\ newline \n tab \t bell \u{07} é")
        #expect(parsed["score"] == .number("1.2346"))
        #expect(parsed["whole"] == .number("2"))
        #expect(parsed["none"] == .null)
    }
}
