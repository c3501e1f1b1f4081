import Logging
import Testing

@testable import CallwardenSystemd

@Suite("Stderr log handler")
struct StderrLogHandlerTests {
    @Test func line_isLevelMessageAndSortedMetadata() {
        let line = StderrLogHandler.line(
            level: .warning,
            message: "Policy rejected",
            metadata: ["policy": "default", "caller": "+447700900123"]
        )
        #expect(line == "warning Policy rejected caller=+447700900123 policy=default\n")
    }

    @Test func line_staysOnOneLine() {
        let line = StderrLogHandler.line(level: .error, message: "first\nsecond", metadata: ["note": "a\nb"])
        #expect(line == "error first\\nsecond note=a\\nb\n")
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func valuesWithSpacesOrQuotes_areQuoted() {
        let line = StderrLogHandler.line(level: .info, message: "m", metadata: ["reason": "said \"hi\" twice", "empty": ""])
        #expect(line == "info m empty=\"\" reason=\"said \\\"hi\\\" twice\"\n")
    }
}
