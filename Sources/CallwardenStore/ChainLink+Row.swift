import CallwardenRecord
import GRDB

extension ChainLink {
    /// An entry exactly as its row holds it, read column by column rather than through
    /// `StoredEntry`, so that verification hashes what is on disk even where a row was edited
    /// into something this version would not write: any value of any column is read as text
    /// (and then fails its hash), never trapped on.
    init(row: Row) throws(RecordDamage) {
        // The rowid: always a whole number, though any one an edit chose. The verifier takes any.
        let id = try row.integer(0, "id", entry: nil, in: Int64.min...Int64.max)
        let text: (Int) -> String? = { index in
            let value: DatabaseValue = row[index]
            switch value.storage {
            case .null: return nil
            case .int64(let number): return String(number)
            case .double(let number): return String(number)
            case .string(let string): return string
            case .blob(let data): return String(decoding: data, as: UTF8.self)
            }
        }
        // Columns in `StoredEntry.columns` order: the chain's fields, the optional ones (in the
        // chain only when not NULL), then the hash.
        var fields = ChainDigest.fieldNames.enumerated().map { index, name in ChainField(name, text(index)) }
        for (offset, name) in ChainDigest.optionalFieldNames.enumerated() {
            if let value = text(ChainDigest.fieldNames.count + offset) { fields.append(ChainField(name, value)) }
        }
        self.init(id: id, fields: fields, hash: text(ChainDigest.fieldNames.count + ChainDigest.optionalFieldNames.count) ?? "")
    }
}
