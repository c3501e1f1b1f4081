/// One entry as the chain verifier reads it, from the record or from an export: its id, its
/// fields in chain order, and the hash it was stored with.
public struct ChainLink: Sendable, Equatable {
    public var id: Int64
    /// The fields in `ChainDigest.fieldNames` order; the first is the id, as text.
    public var fields: [ChainField]
    /// The hash as stored with the entry.
    public var hash: String
    /// The predecessor's hash, when the source states it (an export does); checked against the
    /// chain, never trusted in its place.
    public var previousHash: String?

    public init(id: Int64, fields: [ChainField], hash: String, previousHash: String? = nil) {
        self.id = id
        self.fields = fields
        self.hash = hash
        self.previousHash = previousHash
    }

    public func value(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The entry's type (`incident`, `purge`, ...).
    public var type: String? { value("type") }

    /// The hash this entry would have if it chained from `previous`.
    public func computedHash(previous: String) -> String {
        ChainDigest.hash(previous: previous, fields: fields)
    }

    /// The hash this entry's fields would have had at position `id` after `previous`: how a
    /// moved entry is recognised.
    func computedHash(previous: String, asID id: Int64) -> String {
        var moved = fields
        if let index = moved.firstIndex(where: { $0.name == "id" }) { moved[index].value = String(id) }
        return ChainDigest.hash(previous: previous, fields: moved)
    }
}
