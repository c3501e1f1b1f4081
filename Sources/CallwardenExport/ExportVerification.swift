import CallwardenProtocol
import CallwardenRecord

/// Verifies an export file without the daemon, with the same chain rules the daemon applies to
/// its record: what a third party holding only the file can establish.
///
/// The file is outside input: anything at all may be in it. Reading it either fails with an
/// `ExportError` (not an export) or gives a verdict; nothing in it can make the reader trap.
public struct ExportVerification: Sendable {
    public var chain: ExportDocument.Chain
    public var entries: Int
    public var firstID: Int64?
    public var lastID: Int64?
    public var report: ChainReport?
    /// For a selection: the first entry whose hash does not follow from its `prev_hash`.
    public var selectionProblem: ChainProblem?

    public var verified: Bool { report?.verified ?? (selectionProblem == nil) }
    public var problem: ChainProblem? { report?.problem ?? selectionProblem }

    /// Reads and verifies an export from the file's bytes: the entry point for callwardenctl and
    /// for fuzzing.
    public static func verify(bytes: [UInt8]) -> Result<ExportVerification, ExportError> {
        do throws(ExportError) {
            return .success(try ExportVerification(bytes: bytes))
        } catch {
            return .failure(error)
        }
    }

    public init(bytes: [UInt8]) throws(ExportError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ExportError("not a JSON export (byte \(error.offset): \(error.message)); CSV exports cannot be verified")
        }
        try self.init(document: document)
    }

    public init(document: JSONValue) throws(ExportError) {
        guard document["format"]?.string == ExportDocument.format else {
            throw ExportError("not a callwarden export (no \"format\":\"\(ExportDocument.format)\")")
        }
        guard document["version"]?.int64 == Int64(ExportDocument.version) else {
            throw ExportError("an export of version \(ExportDocument.shown(document["version"])); this version reads version \(ExportDocument.version)")
        }
        guard let chainName = document["chain"]?.string, let chain = ExportDocument.Chain(rawValue: chainName) else {
            throw ExportError("it does not say which part of the chain it holds (\"chain\": complete, suffix, selection or shared)")
        }
        self.chain = chain
        let values: [JSONValue]
        switch document["entries"] {
        case .array(let array)?: values = array
        case nil, .null?: values = []
        default: throw ExportError("\"entries\" must be an array")
        }
        var links: [ChainLink] = []
        links.reserveCapacity(values.count)
        for value in values { links.append(try ExportDocument.link(value)) }
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
        let head = try ExportDocument.head(document["head"])
        if chain == .suffix, links.isEmpty {
            // Nothing was recorded from that time on: there is no chain to walk.
            var verifier = ChainVerifier(head: head, checksHead: false)
            report = verifier.finish()
            return
        }
        var purges: [(entry: Int64, note: PurgeNote)] = []
        for link in links where link.type == "purge" && chain != .shared {
            if let note = link.value("note").flatMap(PurgeNote.init(text:)) { purges.append((link.id, note)) }
        }
        let start: ChainVerifier.Start = chain == .suffix ? .after(hash: links.first?.previousHash ?? ChainDigest.genesis) : .genesis
        var verifier = ChainVerifier(purges: PurgeIndex(purges), start: start, head: head)
        for link in links where !verifier.isDecided { verifier.feed(link) }
        report = verifier.finish()
    }
}
