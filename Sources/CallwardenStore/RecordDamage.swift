import CallwardenRecord
import GRDB

/// A value in the record that callwarden could not have written there: the file was edited or
/// damaged. Reported as `StoreError.corrupt`, naming the file, rather than trusted or trapped on.
struct RecordDamage: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where, for the administrator: the table, the entry and the column.
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// `entry 12: at_us` or `chain_head: last_id`.
    static func place(_ entry: Int64?, _ column: String) -> String {
        entry.map { "entry \($0): \(column)" } ?? column
    }

    func corrupt(_ path: String) -> StoreError {
        .corrupt(path: path, detail: description)
    }
}

extension RecordStore {
    /// Runs `body`, reporting damage found in the record as `StoreError.corrupt` naming this file.
    func reportingDamage<T>(_ body: () throws -> T) throws -> T {
        try Self.reportingDamage(path, body)
    }

    static func reportingDamage<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let damage as RecordDamage {
            throw damage.corrupt(path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            // SQLite found the file damaged while reading it (start-up reads the record beside
            // the integrity check, and may meet the damage first): the same refusal, naming the file.
            throw StoreError.corrupt(path: path, detail: error.message ?? "\(error.resultCode)")
        }
    }
}
