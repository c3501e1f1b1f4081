/// Why a shared record's address (`--store postgres://...`) cannot be used, said for the operator.
/// It never repeats a password: an address holding one is refused without echoing it.
public struct SharedRecordAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
