import CallwardenRecord
import Foundation
import GRDB

/// One edit of a record, as someone with write access to the file could make it, and what the
/// verifier must say about it.
struct Tampering: CustomStringConvertible {
    var description: String
    /// SQL run against the record.
    var sql: String
    var expected: (ChainProblem.Kind, Int64)

    /// A random single edit of `record`: an entry changed, removed or reordered, or the newest
    /// entries cut off. Nil for an empty record.
    static func random(_ record: RandomRecord, using random: inout SeededGenerator) -> Tampering? {
        let present = record.present
        guard let victim = present.randomElement(using: &random) else { return nil }
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            return changed(victim, record, using: &random)
        case 1:
            return Tampering(description: "entry \(victim.id) (\(victim.type)) deleted", sql: "DELETE FROM entries WHERE id = \(victim.id)",
                             expected: record.verdict(removing: [victim.id]))
        case 2 where present.count >= 2:
            let pair = present.shuffled(using: &random).prefix(2).map(\.id).sorted()
            let (first, second) = (pair[0], pair[1])
            return Tampering(
                description: "entries \(first) and \(second) swapped",
                sql: "UPDATE entries SET id = -1 WHERE id = \(first); UPDATE entries SET id = \(first) WHERE id = \(second); UPDATE entries SET id = \(second) WHERE id = -1",
                expected: (.reordered, first))
        default:
            let count = Int.random(in: 1...min(3, present.count), using: &random)
            let newest = Set(present.suffix(count).map(\.id))
            return Tampering(description: "the newest \(count) entries deleted", sql: "DELETE FROM entries WHERE id IN (\(newest.map(String.init).joined(separator: ",")))",
                             expected: record.verdict(removing: newest))
        }
    }

    /// One column of `entry` given another value. A purge entry's note is left alone: it is read
    /// before the walk to explain gaps, so changing it is found, but not always at that entry
    /// (`RetentionPropertyTests` checks that separately).
    static func changed(_ entry: RandomRecord.Entry, _ record: RandomRecord, using random: inout SeededGenerator) -> Tampering {
        var columns = ["recorded_at_us", "at_us", "caller", "call", "agent", "supervisor", "rule", "by", "outcome", "attestation", "until_us", "hash"]
        if entry.type != "purge" { columns += ["note", "kind"] }
        let column = columns.randomElement(using: &random)!
        let value: String
        switch column {
        case "recorded_at_us", "at_us": value = "\(column) + 1"
        // Given where there was none, taken where there was one, or moved.
        case "until_us": value = "CASE WHEN until_us IS NULL THEN 1 WHEN until_us % 2 = 0 THEN NULL ELSE until_us + 1 END"
        case "hash": value = "'" + String(repeating: "ab", count: 32) + "'"
        default: value = "CASE WHEN \(column) IS NULL THEN '' WHEN \(column) = 'x' THEN NULL ELSE 'x' END"
        }
        return Tampering(description: "entry \(entry.id) (\(entry.type)): \(column) changed", sql: "UPDATE entries SET \(column) = \(value) WHERE id = \(entry.id)",
                         expected: record.verdict(changing: entry.id))
    }
}
