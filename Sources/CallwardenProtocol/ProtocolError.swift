/// The error codes of protocol v1, and the only error text that reaches a client.
public struct ProtocolError: Error, Sendable, Equatable {
    public enum Code: String, Sendable, CaseIterable {
        /// Malformed JSON, a missing or mistyped field, an unknown field.
        case badRequest = "bad_request"
        case unknownType = "unknown_type"
        case unknownCall = "unknown_call"
        /// The abuse kind is not one of the policy's categories.
        case unknownKind = "unknown_kind"
        /// The peer's role does not allow this request.
        case forbidden
        /// The line is longer than the limit; the connection is closed after this answer.
        case tooLong = "too_long"
        /// The record cannot be written (or read); nothing was recorded.
        case unavailable
        case internalError = "internal"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
