import Logging
import Testing

@testable import CallwardenSystemd

@Suite("Journal fields")
struct JournalFieldsTests {
    private func fields(
        level: Logger.Level = .info,
        message: String = "Incident recorded",
        metadata: Logger.Metadata = [:],
        label: String = "callwardend",
        syslogIdentifier: String? = nil
    ) -> [(name: String, value: String)] {
        JournalFields.fields(
            level: level,
            message: message,
            metadata: metadata,
            label: label,
            syslogIdentifier: syslogIdentifier,
            file: "CallwardenEngine/Engine.swift",
            function: "record(_:)",
            line: 42
        )
    }

    private func value(_ name: String, in fields: [(name: String, value: String)]) -> String? {
        fields.first { $0.name == name }?.value
    }

    @Test func fixedFields_comeFromTheEntry() {
        let result = fields()
        #expect(result.map(\.name) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC"])
        #expect(value("MESSAGE", in: result) == "Incident recorded")
        #expect(value("SYSLOG_IDENTIFIER", in: result) == "callwardend")
        #expect(value("CODE_FILE", in: result) == "CallwardenEngine/Engine.swift")
        #expect(value("CODE_LINE", in: result) == "42")
        #expect(value("CODE_FUNC", in: result) == "record(_:)")
    }

    @Test(arguments: [
        (Logger.Level.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"),
        (.warning, "4"), (.error, "3"), (.critical, "2"),
    ])
    func priority_followsTheLevel(level: Logger.Level, expected: String) {
        #expect(value("PRIORITY", in: fields(level: level)) == expected)
    }

    @Test func priorityAlert_inMetadata_raisesPriorityToOne() {
        let result = fields(level: .critical, metadata: ["priority": "alert"])
        #expect(value("PRIORITY", in: result) == "1")
        #expect(value("CALLWARDEN_PRIORITY", in: result) == nil)
    }

    @Test func otherPriorityValue_isKeptAsAnOrdinaryField() {
        let result = fields(level: .warning, metadata: ["priority": "high"])
        #expect(value("PRIORITY", in: result) == "4")
        #expect(value("CALLWARDEN_PRIORITY", in: result) == "high")
    }

    @Test func messageID_becomesMESSAGE_ID() {
        let result = fields(metadata: ["message_id": "c2a1910b13774e1685d997a394fc48de"])
        #expect(value("MESSAGE_ID", in: result) == "c2a1910b13774e1685d997a394fc48de")
        #expect(value("CALLWARDEN_MESSAGE_ID", in: result) == nil)
    }

    @Test(arguments: ["not-an-id", "C2A1910B13774E1685D997A394FC48DE", "c2a1910b13774e1685d997a394fc48d", ""])
    func invalidMessageID_isKeptUnderCallwardenName(id: String) {
        let result = fields(metadata: ["message_id": .string(id)])
        #expect(value("MESSAGE_ID", in: result) == nil)
        #expect(value("CALLWARDEN_MESSAGE_ID", in: result) == id)
    }

    @Test(arguments: [
        ("caller", "CALLWARDEN_CALLER"),
        ("incident.id", "CALLWARDEN_INCIDENT_ID"),
        ("call-id", "CALLWARDEN_CALL_ID"),
        ("Queue Name", "CALLWARDEN_QUEUE_NAME"),
        ("uid", "CALLWARDEN_UID"),
        ("ré", "CALLWARDEN_R_"),
        ("_private", "CALLWARDEN__PRIVATE"),
        ("a9_Z", "CALLWARDEN_A9_Z"),
    ])
    func metadataKey_isSanitised(key: String, expected: String) {
        #expect(JournalFields.fieldName(forMetadataKey: key) == expected)
    }

    @Test func sanitisedNames_areValidJournalFieldNames() throws {
        for key in ["caller", "incident.id", "über/weird key!", "x", String(repeating: "k", count: 200)] {
            let name = try #require(JournalFields.fieldName(forMetadataKey: key))
            #expect(name.count <= JournalFields.maximumNameLength)
            #expect(!name.hasPrefix("_"))
            #expect(name.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
        }
    }

    @Test func emptyKey_isDropped() {
        #expect(JournalFields.fieldName(forMetadataKey: "") == nil)
        let result = fields(metadata: ["": "lost", "caller": "+447700900123"])
        #expect(result.filter { $0.name.hasPrefix("CALLWARDEN_") }.map(\.name) == ["CALLWARDEN_CALLER"])
    }

    @Test func engineFields_allReachTheJournal() {
        let metadata: Logger.Metadata = [
            "message_id": "8afba39ff60a42b697e661e9e07291ee",
            "priority": "alert",
            "caller": "+447700900123", "call": "1700000000.42", "kind": "physical_threat",
            "route": "supervisor", "rule": "physical-threat", "incident": "17", "agent": "a-204",
            "queue": "supervisor", "policy": "default", "uid": "0", "pid": "1234",
        ]
        let result = fields(level: .critical, metadata: metadata)
        #expect(value("MESSAGE_ID", in: result) == "8afba39ff60a42b697e661e9e07291ee")
        #expect(value("PRIORITY", in: result) == "1")
        for key in ["caller", "call", "kind", "route", "rule", "incident", "agent", "queue", "policy", "uid", "pid"] {
            #expect(value("CALLWARDEN_" + key.uppercased(), in: result) == "\(metadata[key]!)")
        }
    }

    @Test func metadataFields_areSortedByKey_afterTheFixedOnes() {
        let result = fields(metadata: ["zeta": "1", "alpha": "2", "kind": "verbal"])
        #expect(result.suffix(3).map(\.name) == ["CALLWARDEN_ALPHA", "CALLWARDEN_KIND", "CALLWARDEN_ZETA"])
    }

    @Test func nonStringMetadata_isRenderedAsText() {
        let result = fields(metadata: ["count": .stringConvertible(3), "tags": ["a", "b"]])
        #expect(value("CALLWARDEN_COUNT", in: result) == "3")
        #expect(value("CALLWARDEN_TAGS", in: result) == #"["a", "b"]"#)
    }

    @Test func syslogIdentifier_overridesLabel_andKeepsTheLabel() {
        let result = fields(label: "callwarden.engine", syslogIdentifier: "callwardend")
        #expect(value("SYSLOG_IDENTIFIER", in: result) == "callwardend")
        #expect(value("CALLWARDEN_LOGGER", in: result) == "callwarden.engine")

        let same = fields(label: "callwardend", syslogIdentifier: "callwardend")
        #expect(value("CALLWARDEN_LOGGER", in: same) == nil)
    }

    @Test func multilineMessage_isKeptWhole() {
        let result = fields(message: "policy.yaml:3: unknown key\npolicy.yaml:9: bad weight")
        #expect(value("MESSAGE", in: result) == "policy.yaml:3: unknown key\npolicy.yaml:9: bad weight")
    }
}
