import CallwardenProtocol
import CallwardenRecord
import Foundation

/// Verifies an export file without the daemon, with the same chain rules the daemon applies to
/// its record: what a third party holding only the file can establish.
struct ExportVerification {
    var chain: ExportDocument.Chain
    var entries: Int
    var firstID: Int64?
    var lastID: Int64?
    var report: ChainReport?
    /// For a selection: the first entry whose hash does not follow from its `prev_hash`.
    var selectionProblem: ChainProblem?

    var verified: Bool { report?.verified ?? (selectionProblem == nil) }
    var problem: ChainProblem? { report?.problem ?? selectionProblem }

    init(file: String) throws(ControlFailure) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ControlFailure(ExitStatus.dataError, "cannot read \(file): \(error.localizedDescription)")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(data)
        } catch {
            throw ControlFailure(ExitStatus.dataError, "\(file) is not a JSON export (byte \(error.offset): \(error.message)); CSV exports cannot be verified")
        }
        guard document["format"]?.string == ExportDocument.format else {
            throw ControlFailure(ExitStatus.dataError, "\(file) is not a callwarden export (no \"format\":\"\(ExportDocument.format)\")")
        }
        guard document["version"]?.int64 == Int64(ExportDocument.version) else {
            throw ControlFailure(ExitStatus.dataError, "\(file) is an export of version \(document["version"].text); this callwardenctl reads version \(ExportDocument.version)")
        }
        guard let chainName = document["chain"]?.string, let chain = ExportDocument.Chain(rawValue: chainName) else {
            throw ControlFailure(ExitStatus.dataError, "\(file) does not say which part of the chain it holds (\"chain\")")
        }
        self.chain = chain
        var links: [ChainLink] = []
        for value in document["entries"]?.array ?? [] { links.append(try ExportDocument.link(value)) }
        entries = links.count
        firstID = links.first?.id
        lastID = links.last?.id
        if chain == .selection {
            selectionProblem = links.lazy.compactMap { link -> ChainProblem? in
                guard let previous = link.previousHash else { return ChainProblem(.changed, entry: link.id, "it has no prev_hash") }
                return link.computedHash(previous: previous) == link.hash ? nil : ChainProblem(.changed, entry: link.id, "its fields no longer match its hash: entry \(link.id) was changed")
            }.first
            return
        }
        var purges: [(entry: Int64, note: PurgeNote)] = []
        for link in links where link.type == "purge" {
            if let note = link.value("note").flatMap(PurgeNote.init(text:)) { purges.append((link.id, note)) }
        }
        var head: ChainHeadMark?
        if let id = document["head"]["id"]?.int64, let hash = document["head"]["hash"]?.string { head = ChainHeadMark(id: id, hash: hash) }
        let start: ChainVerifier.Start = chain == .suffix ? .after(hash: links.first?.previousHash ?? ChainDigest.genesis) : .genesis
        var verifier = ChainVerifier(purges: PurgeIndex(purges), start: start, head: head)
        for link in links where !verifier.isDecided { verifier.feed(link) }
        report = verifier.finish()
    }
}
