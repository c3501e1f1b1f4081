import CallwardenRecord
import GRDB

/// Columns of the record read without trusting them. The file can be edited by anyone who can
/// write it, and GRDB's typed subscripts (`row[i] as Int64`) stop the process on a NULL or a
/// value of another type; so each value is inspected as the `DatabaseValue` it is, and range-
/// checked, and anything callwarden could not have written is `RecordDamage`.
extension Row {
    /// A whole number in `range` (an INTEGER column holding text, a real or NULL is damage).
    func integer(_ index: Int, _ column: String, entry: Int64?, in range: ClosedRange<Int64>) throws(RecordDamage) -> Int64 {
        guard let value = try optionalInteger(index, column, entry: entry, in: range) else {
            throw RecordDamage("\(RecordDamage.place(entry, column)) is NULL where a whole number belongs")
        }
        return value
    }

    /// A whole number in `range`, or nil for NULL.
    func optionalInteger(_ index: Int, _ column: String, entry: Int64?, in range: ClosedRange<Int64>) throws(RecordDamage) -> Int64? {
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .null:
            return nil
        case .int64(let number):
            guard range.contains(number) else {
                throw RecordDamage("\(RecordDamage.place(entry, column)) holds \(number), outside \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        case .double(let number):
            throw RecordDamage("\(RecordDamage.place(entry, column)) holds the real number \(number) where a whole number belongs")
        case .string(let text):
            throw RecordDamage("\(RecordDamage.place(entry, column)) holds the text \(Self.quoted(text)) where a whole number belongs")
        case .blob(let data):
            throw RecordDamage("\(RecordDamage.place(entry, column)) holds a blob of \(data.count) bytes where a whole number belongs")
        }
    }

    /// Text, NULL where the column is NOT NULL being damage.
    func text(_ index: Int, _ column: String, entry: Int64?) throws(RecordDamage) -> String {
        guard let text = try optionalText(index, column, entry: entry) else {
            throw RecordDamage("\(RecordDamage.place(entry, column)) is NULL where text belongs")
        }
        return text
    }

    /// Text, or nil for NULL. callwarden binds every text as text, so a number or a blob here
    /// was put there by someone else.
    func optionalText(_ index: Int, _ column: String, entry: Int64?) throws(RecordDamage) -> String? {
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .null: return nil
        case .string(let text): return text
        case .int64(let number): throw RecordDamage("\(RecordDamage.place(entry, column)) holds the number \(number) where text belongs")
        case .double(let number): throw RecordDamage("\(RecordDamage.place(entry, column)) holds the number \(number) where text belongs")
        case .blob(let data): throw RecordDamage("\(RecordDamage.place(entry, column)) holds a blob of \(data.count) bytes where text belongs")
        }
    }

    /// A chain hash: 64 lowercase hex digits.
    func hash(_ index: Int, _ column: String, entry: Int64?) throws(RecordDamage) -> String {
        let hash = try text(index, column, entry: entry)
        guard ChainDigest.isHash(hash) else {
            throw RecordDamage("\(RecordDamage.place(entry, column)) holds \(Self.quoted(hash)), which is not a hash (64 lowercase hex digits)")
        }
        return hash
    }

    /// A caller-ID trust level (`RecordLimits.attestations`), or nil for NULL.
    func attestation(_ index: Int, _ column: String, entry: Int64?) throws(RecordDamage) -> String? {
        guard let text = try optionalText(index, column, entry: entry) else { return nil }
        guard RecordLimits.attestations.contains(text) else {
            throw RecordDamage("\(RecordDamage.place(entry, column)) holds \(Self.quoted(text)), which is not a caller-ID trust level (\(RecordLimits.attestationList))")
        }
        return text
    }

    /// An entry's id: the row's rowid, so always a whole number, but only ids callwarden hands
    /// out (`RecordLimits.ids`) are trusted.
    func entryID(_ index: Int) throws(RecordDamage) -> Int64 {
        try integer(index, "id", entry: nil, in: RecordLimits.ids)
    }

    /// Text for a message: short, and with control characters shown escaped.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "'" + shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "'"
    }
}
