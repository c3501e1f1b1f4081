import CallwardenProtocol
import CallwardenRecord

/// Reads an export document the way callwardenctl's export verification does (its reader lives
/// in the executable, which a fuzz target cannot link): the chain it claims to hold, its entries
/// as chain links, its purge notes and its head.
struct ExportReader {
    enum Chain: String { case complete, suffix, selection }

    var chain: Chain
    var links: [ChainLink]
    var head: ChainHeadMark?

    static func read(_ document: JSONValue) -> ExportReader? {
        guard document["format"]?.string == "callwarden-export", document["version"]?.int64 == 1,
              let chain = document["chain"]?.string.flatMap(Chain.init(rawValue:))
        else { return nil }
        var links: [ChainLink] = []
        for value in document["entries"]?.array ?? [] {
            guard let link = link(value) else { return nil }
            links.append(link)
        }
        var head: ChainHeadMark?
        if let id = document["head"]?["id"]?.int64, let hash = document["head"]?["hash"]?.string { head = ChainHeadMark(id: id, hash: hash) }
        return ExportReader(chain: chain, links: links, head: head)
    }

    static func link(_ value: JSONValue) -> ChainLink? {
        guard let object = value.object, let id = object["id"]?.int64 else { return nil }
        var fields: [ChainField] = []
        for name in ChainDigest.fieldNames {
            let key = name == "recorded_at" || name == "at" ? name + "_us" : name
            switch object[key] {
            case .null?: fields.append(ChainField(name, nil))
            case .string(let text)?, .number(let text)?: fields.append(ChainField(name, text))
            default: return nil
            }
        }
        guard let hash = object["hash"]?.string else { return nil }
        return ChainLink(id: id, fields: fields, hash: hash, previousHash: object["prev_hash"]?.string)
    }

    /// What verification found: whether the chain holds, how many entries it walked, and the
    /// first problem.
    struct Outcome {
        var verified: Bool
        var entries: Int
        var problem: ChainProblem?
    }

    func verify() -> Outcome {
        if chain == .selection {
            let broken = links.first { link in link.previousHash.map { link.computedHash(previous: $0) != link.hash } ?? true }
            return Outcome(verified: broken == nil, entries: links.count, problem: broken.map { ChainProblem(.changed, entry: $0.id, "entry \($0.id) was changed") })
        }
        var purges: [(entry: Int64, note: PurgeNote)] = []
        for link in links where link.type == "purge" {
            if let note = link.value("note").flatMap(PurgeNote.init(text:)) { purges.append((link.id, note)) }
        }
        let start: ChainVerifier.Start = chain == .suffix ? .after(hash: links.first?.previousHash ?? ChainDigest.genesis) : .genesis
        var verifier = ChainVerifier(purges: PurgeIndex(purges), start: start, head: head)
        for link in links where !verifier.isDecided { verifier.feed(link) }
        let report = verifier.finish()
        return Outcome(verified: report.verified, entries: report.entries, problem: report.problem)
    }
}
