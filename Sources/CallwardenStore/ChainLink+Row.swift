import CallwardenRecord
import GRDB

extension ChainLink {
    /// An entry exactly as its row holds it, read column by column rather than through
    /// `StoredEntry`, so that verification hashes what is on disk even where a row was edited
    /// into something this version would not write.
    init(row: Row) {
        let id: Int64 = row["id"]
        let text: (String) -> String? = { column in
            let value: DatabaseValue = row[column]
            switch value.storage {
            case .null: return nil
            case .int64(let number): return String(number)
            case .double(let number): return String(number)
            case .string(let string): return string
            case .blob(let data): return String(decoding: data, as: UTF8.self)
            }
        }
        let fields = ChainDigest.fieldNames.map { name -> ChainField in
            switch name {
            case "recorded_at": ChainField(name, text("recorded_at_us"))
            case "at": ChainField(name, text("at_us"))
            default: ChainField(name, text(name))
            }
        }
        self.init(id: id, fields: fields, hash: (row["hash"] as String?) ?? "")
    }
}
