import CallwardenRecord
import PostgresNIO

/// A row of the shared record, read without trusting it. Anyone who can log in as callwarden's
/// role can edit the tables, or change a column's type; so each value is decoded on its own (a
/// decoding failure is damage, not a crash or a generic error), range-checked, and named by its
/// shared id and column when it is not something callwarden could have written.
struct SharedRow {
    let row: PostgresRandomAccessRow
    /// The entry the row is, once known, to name it in messages.
    var sharedID: Int64?

    init(_ row: PostgresRow, sharedID: Int64? = nil) {
        self.row = row.makeRandomAccess()
        self.sharedID = sharedID
    }

    private func damage(_ column: String, _ detail: String) -> SharedRecordError {
        .damaged(sharedID: sharedID, detail: "\(column) \(detail)")
    }

    private func cell(_ index: Int, _ column: String) throws(SharedRecordError) -> PostgresCell {
        guard index < row.count else { throw damage(column, "is missing from the row") }
        return row[index]
    }

    /// A whole number in `range`; NULL is damage.
    func integer(_ index: Int, _ column: String, in range: ClosedRange<Int64>) throws(SharedRecordError) -> Int64 {
        guard let value = try optionalInteger(index, column, in: range) else { throw damage(column, "is NULL where a whole number belongs") }
        return value
    }

    /// A whole number in `range`, or nil for NULL.
    func optionalInteger(_ index: Int, _ column: String, in range: ClosedRange<Int64>) throws(SharedRecordError) -> Int64? {
        let cell = try cell(index, column)
        let value: Int64?
        do {
            value = try cell.decode(Int64?.self)
        } catch {
            throw damage(column, "holds a \(cell.dataType) value where a whole number belongs")
        }
        guard let value else { return nil }
        guard range.contains(value) else { throw damage(column, "holds \(value), outside \(range.lowerBound) to \(range.upperBound)") }
        return value
    }

    /// Text; NULL is damage.
    func text(_ index: Int, _ column: String) throws(SharedRecordError) -> String {
        guard let value = try optionalText(index, column) else { throw damage(column, "is NULL where text belongs") }
        return value
    }

    /// Text, or nil for NULL.
    func optionalText(_ index: Int, _ column: String) throws(SharedRecordError) -> String? {
        let cell = try cell(index, column)
        do {
            return try cell.decode(String?.self)
        } catch {
            throw damage(column, "holds a \(cell.dataType) value where text belongs")
        }
    }

    /// A chain hash: 64 lowercase hex digits.
    func hash(_ index: Int, _ column: String) throws(SharedRecordError) -> String {
        let value = try text(index, column)
        guard ChainDigest.isHash(value) else { throw damage(column, "holds \(Self.quoted(value)), which is not a hash (64 lowercase hex digits)") }
        return value
    }

    /// Any value as the text the chain hashes, NULL as nil: what `verify` reads, so that an
    /// edited row fails its hash rather than its decoding. The query casts every column to text.
    func chainText(_ index: Int, _ column: String) throws(SharedRecordError) -> String? {
        try optionalText(index, column)
    }

    /// Text for a message: short, with control characters shown escaped.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "'" + shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "'"
    }
}
