import CallwardenRecord
import GRDB

/// One entry as `report` reads it: only what it counts. Closed sets of words (the entry's type,
/// the answers and outcomes callwarden writes) come as numbers SQLite maps them to, so that
/// millions of entries are counted without making a Swift string of each word; open sets
/// (kinds, agents, rules) come as text.
public struct ReportEntry: Sendable, Equatable {
    /// The types of entry the report counts (not `call_start`, `warning` or `purge`).
    public enum EntryKind: Int64, Sendable, CaseIterable {
        case incident = 1, forgiveness, hangupRequest, verdict, callEnd, exemption, exemptionEnd, review

        var type: EntryType {
            switch self {
            case .incident: .incident
            case .forgiveness: .forgiveness
            case .hangupRequest: .hangupRequest
            case .verdict: .verdict
            case .callEnd: .callEnd
            case .exemption: .exemption
            case .exemptionEnd: .exemptionEnd
            case .review: .review
            }
        }
    }

    /// An `outcome` as written: one of callwarden's words, another text (an older version's, or
    /// an edited record's: counted as what it says), or none.
    public enum Outcome: Sendable, Equatable {
        case word(OutcomeWord)
        case other(String)
        case none
    }

    /// The words callwarden writes as outcomes: hang-up answers, verdicts, call outcomes, review
    /// decisions.
    public enum OutcomeWord: Int64, Sendable, CaseIterable {
        case authorised = 1, denied, supervisorRequired, approve, deny, resolved, unresolved, abusive, renew, end

        public var text: String {
            switch self {
            case .authorised: "authorised"
            case .denied: "denied"
            case .supervisorRequired: "supervisor_required"
            case .approve: "approve"
            case .deny: "deny"
            case .resolved: "resolved"
            case .unresolved: "unresolved"
            case .abusive: "abusive"
            case .renew: "renew"
            case .end: "end"
            }
        }
    }

    public var kind: EntryKind
    /// When it happened, seconds since 1970.
    public var at: Double
    /// The call, on verdicts, supervisor-required hang-up requests and call ends (the report
    /// pairs verdicts with the requests that called for them).
    public var call: String?
    /// The incident's kind.
    public var incidentKind: String?
    /// The incident's agent.
    public var agent: String?
    /// The incident's detection rule, or the hang-up answer's ladder rule.
    public var rule: String?
    public var outcome: Outcome
    /// Who ended the call.
    public var by: String?

    public init(
        kind: EntryKind, at: Double, call: String? = nil, incidentKind: String? = nil, agent: String? = nil, rule: String? = nil,
        outcome: Outcome = .none, by: String? = nil
    ) {
        self.kind = kind
        self.at = at
        self.call = call
        self.incidentKind = incidentKind
        self.agent = agent
        self.rule = rule
        self.outcome = outcome
        self.by = by
    }
}

extension RecordStore {
    /// Calls `body` with each entry the report counts dated at or after `since` (all when nil), in
    /// record order: one read transaction on a read connection, so it never blocks the writer,
    /// and a snapshot, so entries committed meanwhile are not half seen. Only the columns the
    /// report counts are read, and SQLite leaves out those an entry's type does not use (an
    /// agent on a hang-up request, a call on an incident): most of reading a record is turning
    /// its values into Swift strings. Throws `StoreError.corrupt` at the first value callwarden
    /// could not have written.
    public func forEachReportEntry(since: Double?, _ body: (ReportEntry) throws -> Void) throws {
        // Without a start every entry is read, so that one dated outside the record's window is
        // refused as damage rather than left out unseen.
        let earliest = since.map(Self.earliestMicros) ?? Int64.min
        try reportingDamage {
            try pool.read { db in
                let statement = try db.makeStatement(sql: Self.reportSQL)
                statement.arguments = [earliest]
                let rows = try Row.fetchCursor(statement)
                let columns = ReportColumns(sqliteStatement: statement.sqliteStatement)
                while try rows.next() != nil {
                    try body(try columns.entry())
                }
            }
        }
    }

    /// The first time in microseconds an entry dated at or after `seconds` may have, clamped to
    /// the record's window.
    static func earliestMicros(_ seconds: Double) -> Int64 {
        guard !seconds.isNaN, seconds > RecordLimits.seconds.lowerBound else { return RecordLimits.micros.lowerBound }
        if seconds > RecordLimits.seconds.upperBound { return Int64.max }
        return (try? StoredEntry.micros(seconds)) ?? Int64.max
    }

    /// The query's numbers for words cannot be confused with a number in the record: a value
    /// that is not text comes as an empty blob, which the reader refuses as damage.
    static let reportSQL: String = {
        let types = ReportEntry.EntryKind.allCases.map { "WHEN '\($0.type.rawValue)' THEN \($0.rawValue)" }.joined(separator: " ")
        let list = ReportEntry.EntryKind.allCases.map { "'\($0.type.rawValue)'" }.joined(separator: ", ")
        let words = ReportEntry.OutcomeWord.allCases.map { "WHEN '\($0.text)' THEN \($0.rawValue)" }.joined(separator: " ")
        return """
            SELECT id, CASE type \(types) END, at_us,
                CASE WHEN type IN ('verdict', 'call_end') OR (type = 'hangup_request' AND outcome = 'supervisor_required') THEN call END,
                CASE WHEN type = 'incident' THEN kind END,
                CASE WHEN type = 'incident' THEN agent END,
                CASE WHEN type IN ('incident', 'hangup_request') THEN rule END,
                CASE WHEN type NOT IN ('hangup_request', 'verdict', 'call_end', 'review') OR outcome IS NULL THEN NULL
                     WHEN typeof(outcome) <> 'text' THEN X'' ELSE CASE outcome \(words) ELSE outcome END END,
                CASE WHEN type = 'call_end' THEN by END
            FROM entries WHERE type IN (\(list)) AND at_us >= ? ORDER BY id
            """
    }()
}

/// The report's columns, read as the values SQLite holds straight from the statement (as
/// `forEachDecisionEntry` reads them), each checked: a value of another type than callwarden
/// writes, or a time outside the record's window, is damage.
private struct ReportColumns {
    let sqliteStatement: SQLiteStatement

    func entry() throws(RecordDamage) -> ReportEntry {
        let id: Int64
        switch value(0) {
        case .int64(let number) where RecordLimits.ids.contains(number): id = number
        default: throw RecordDamage("an entry's id is outside \(RecordLimits.ids.lowerBound) to \(RecordLimits.ids.upperBound)")
        }
        // The type's number comes from the query's own CASE over the types it selects.
        guard case .int64(let code) = value(1), let kind = ReportEntry.EntryKind(rawValue: code) else {
            throw RecordDamage("\(RecordDamage.place(id, "type")) could not be read")
        }
        guard case .int64(let micros) = value(2), RecordLimits.micros.contains(micros) else {
            throw RecordDamage("\(RecordDamage.place(id, "at_us")) is not a time from \(RecordLimits.micros.lowerBound) to \(RecordLimits.micros.upperBound) microseconds")
        }
        let outcome: ReportEntry.Outcome
        switch value(7) {
        case .null: outcome = .none
        case .int64(let code):
            guard let word = ReportEntry.OutcomeWord(rawValue: code) else {
                throw RecordDamage("\(RecordDamage.place(id, "outcome")) holds the number \(code) where text belongs")
            }
            outcome = .word(word)
        case .string(let text): outcome = .other(text)
        default: throw RecordDamage("\(RecordDamage.place(id, "outcome")) holds a value where text belongs")
        }
        return ReportEntry(
            kind: kind, at: Double(micros) / 1_000_000, call: try text(3, "call", id), incidentKind: try text(4, "kind", id),
            agent: try text(5, "agent", id), rule: try text(6, "rule", id), outcome: outcome, by: try text(8, "by", id))
    }

    private func value(_ index: CInt) -> DatabaseValue.Storage {
        DatabaseValue(sqliteStatement: sqliteStatement, index: index).storage
    }

    private func text(_ index: CInt, _ column: String, _ id: Int64) throws(RecordDamage) -> String? {
        switch value(index) {
        case .null: return nil
        case .string(let text): return text
        default: throw RecordDamage("\(RecordDamage.place(id, column)) holds a number or a blob where text belongs")
        }
    }
}
