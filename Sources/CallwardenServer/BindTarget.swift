import NIOCore

/// Where the server listens.
public enum BindTarget: Sendable, Equatable {
    /// Bind this path (replacing a stale socket file; refusing if a live daemon answers there).
    case path(String, mode: UInt16)
    /// Serve a listening socket passed by the service manager (socket activation).
    case inherited(NIOBSDSocket.Handle)
}
