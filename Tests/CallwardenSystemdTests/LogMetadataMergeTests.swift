import Logging
import Testing

@testable import CallwardenSystemd

@Suite("Log metadata merge")
struct LogMetadataMergeTests {
    private struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test func entryOverridesProvider_overridesHandler() {
        let provider = Logger.MetadataProvider { ["call": "from-provider", "trace": "t1"] }
        let merged = LogMetadataMerge.merged(
            handler: ["call": "from-handler", "daemon": "callwardend"],
            provider: provider,
            event: ["call": "from-entry"],
            error: nil
        )
        #expect(merged == ["call": "from-entry", "daemon": "callwardend", "trace": "t1"])
    }

    @Test func error_addsMessageAndType() {
        let merged = LogMetadataMerge.merged(handler: [:], provider: nil, event: nil, error: Failure())
        #expect(merged["error.message"] == "disk full")
        #expect(merged["error.type"].map { "\($0)" }?.hasSuffix("Failure") == true)
    }

    @Test func journalHandler_mergesLoggerMetadata_intoFields() {
        var handler = JournalLogHandler(label: "callwardend", metadataProvider: nil)
        handler[metadataKey: "policy"] = "default"
        #expect(handler[metadataKey: "policy"] == "default")
        #expect(handler.metadata == ["policy": "default"])
    }
}
