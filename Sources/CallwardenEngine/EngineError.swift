/// Why the engine refused a request. The server turns each into a protocol error code; the
/// message is meant for the client and names what would be valid.
public enum EngineError: Error, Sendable, Equatable {
    /// A field's value makes no sense (an incident of another caller, an empty reason, ...).
    case badRequest(String)
    /// The abuse kind is not one of the policy's categories.
    case unknownKind(String, valid: [String])
    /// The call is not open (never offered, already ended, or closed by the daemon).
    case unknownCall(String)
    /// The record cannot be written: nothing was recorded.
    case unavailable(String)

    public var message: String {
        switch self {
        case .badRequest(let message): return message
        case .unknownKind(let kind, let valid): return "unknown kind '\(kind)'; this policy's kinds: \(valid.joined(separator: ", ")). Anger alone is not abuse."
        case .unknownCall(let call): return "no open call '\(call)': it was never offered, has ended, or was closed after the maximum call length"
        case .unavailable(let message): return message
        }
    }
}
