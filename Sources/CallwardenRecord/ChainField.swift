/// One field of an entry as the hash chain sees it: a name and its text, or no value at all.
///
/// Absent and empty are different values in the chain (`note:-1:` against `note:0:`), so a value
/// is optional rather than defaulting to "".
public struct ChainField: Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }
}
