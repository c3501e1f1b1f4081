import CallwardenRecord

/// One page of an export: entries exactly as recorded, each with the hash it chains from, so that
/// a third party can re-verify them without the record (docs/record.md).
public struct ExportPage: Sendable {
    /// The entries, in record order; each link's `previousHash` is set.
    public var entries: [ChainLink]
    /// Pass as `after` to read the next page; nil on the last page.
    public var next: Int64?
    /// The chain head when the page was read.
    public var head: ChainHeadMark?
    /// Whether consecutive entries are consecutive in the chain (no caller filter): then the pages
    /// together verify as one chain, not only entry by entry.
    public var contiguous: Bool

    public init(entries: [ChainLink], next: Int64?, head: ChainHeadMark?, contiguous: Bool) {
        self.entries = entries
        self.next = next
        self.head = head
        self.contiguous = contiguous
    }
}
