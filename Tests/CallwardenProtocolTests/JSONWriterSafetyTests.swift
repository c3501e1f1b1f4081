import CallwardenProtocol
import Foundation
import Testing

/// Whatever values reach the writer, its line is JSON.
@Suite("The JSON writer's output")
struct JSONWriterSafetyTests {
    func line(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        body(&writer)
        return writer.line()
    }

    @Test("Doubles at the ends of the range, infinity and NaN give JSON, never inf or nan", arguments: [
        1e308, -1e308, .greatestFiniteMagnitude, 1.7e305, 1e15, 999_999_999_999_999.9, .infinity, -.infinity, .nan,
        .leastNonzeroMagnitude, 0.00005, -0.00004, 1.23456789,
    ] as [Double])
    func doubles(_ value: Double) throws {
        let text = line { $0.field("score", value) }
        #expect(!text.contains("inf") && !text.contains("nan"), "\(text)")
        let parsed = try JSONParser.parse(String(text.dropLast()))
        let number = try #require(parsed["score"])
        if value.isFinite {
            let read = try #require(number.double)
            #expect(abs(read - value) <= max(0.00005, abs(value) * 1e-15), "\(text)")
        } else {
            #expect(number == .null)
        }
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
    }

    @Test("Raw text that is not JSON is written as a string", arguments: ["inf", "007", "+5", "1.", "--1", "\"open", "\"a\"b\"", "", "1e"])
    func raw(_ text: String) throws {
        let written = line { $0.field("id", raw: text) }
        #expect(try JSONParser.parse(String(written.dropLast()))["id"] == .string(text))
    }

    @Test("Raw JSON numbers and strings are echoed as sent", arguments: ["7", "7.0", "7e0", "-0", "0.5E-3", #""req-7""#, #""a\"b""#])
    func rawValid(_ text: String) throws {
        #expect(line { $0.field("id", raw: text) } == #"{"id":\#(text)}"# + "\n")
    }

    @Test("A number value that is not JSON is written null")
    func numberValue() throws {
        let written = line { $0.field("n", JSONValue.array([.number("inf"), .number("12"), .number("0x1")])) }
        #expect(written == #"{"n":[null,12,null]}"# + "\n")
    }
}
