/// The first thing wrong with a chain, and where.
public struct ChainProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// An entry's fields no longer match its hash.
        case changed
        /// Entries are missing that no purge entry accounts for.
        case removed
        /// An entry sits at another entry's place.
        case reordered
        /// The chain head kept with the record does not name the last entry.
        case headMismatch = "head_mismatch"
        /// A purge entry's description does not match the record (a "purged" entry is present).
        case purgeMismatch = "purge_mismatch"
    }

    public var kind: Kind
    /// The first entry at which the chain breaks.
    public var entry: Int64
    /// What is wrong, for a person.
    public var message: String

    public init(_ kind: Kind, entry: Int64, _ message: String) {
        self.kind = kind
        self.entry = entry
        self.message = message
    }

    public var description: String { "entry \(entry): \(kind.rawValue): \(message)" }
}
