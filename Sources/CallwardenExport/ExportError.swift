/// Why a file is not a callwarden export that can be verified: not JSON, not an export, another
/// version, a field missing or of the wrong kind, or a number outside what an export can hold.
/// Different from an export that reads but does not verify (`ExportVerification.problem`).
public struct ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for a person; it does not name the file (the caller knows it).
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
