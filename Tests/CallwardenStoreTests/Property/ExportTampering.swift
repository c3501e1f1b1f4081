import CallwardenRecord
import Foundation

/// One edit of an export file, as someone holding the file could make it, and what a verifier
/// must say about it: the same verdicts as for the same edit of the record.
struct ExportTampering: CustomStringConvertible {
    var description: String
    var expected: (ChainProblem.Kind, Int64)
    var apply: (inout [[String: Any]]) -> Void

    static func random(_ record: RandomRecord, using random: inout SeededGenerator) -> ExportTampering? {
        let present = record.present
        guard let victim = present.randomElement(using: &random), let index = present.firstIndex(of: victim) else { return nil }
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            var keys = ["recorded_at_us", "at_us", "caller", "agent", "by", "outcome", "attestation", "until_us", "hash"]
            if victim.type != "purge" { keys.append("note") }
            let key = keys.randomElement(using: &random)!
            return ExportTampering(description: "export: entry \(victim.id) (\(victim.type)): \(key) changed", expected: record.verdict(changing: victim.id)) { entries in
                switch entries[index][key] {
                case let number as Int64: entries[index][key] = number + 1
                case let number as Int: entries[index][key] = number + 1
                case let text as String where key == "hash": entries[index][key] = text == String(repeating: "ab", count: 32) ? String(repeating: "cd", count: 32) : String(repeating: "ab", count: 32)
                case let text as String: entries[index][key] = text == "x" ? "y" : "x"
                default: entries[index][key] = "x"
                }
            }
        case 1:
            return ExportTampering(description: "export: entry \(victim.id) (\(victim.type)) removed", expected: record.verdict(removing: [victim.id])) { entries in
                entries.remove(at: index)
            }
        case 2 where present.count >= 2:
            let pair = Array(0..<present.count).shuffled(using: &random).prefix(2).sorted()
            let (first, second) = (pair[0], pair[1])
            return ExportTampering(description: "export: entries \(present[first].id) and \(present[second].id) swapped", expected: (.reordered, present[first].id)) { entries in
                var moved = entries[second]
                var other = entries[first]
                moved["id"] = entries[first]["id"]
                other["id"] = entries[second]["id"]
                entries[first] = moved
                entries[second] = other
            }
        default:
            let count = Int.random(in: 1...min(3, present.count), using: &random)
            let newest = Set(present.suffix(count).map(\.id))
            return ExportTampering(description: "export: the newest \(count) entries cut off", expected: record.verdict(removing: newest)) { entries in
                entries.removeLast(count)
            }
        }
    }
}
