import NIOCore

/// What one connection may cost the daemon, and how many there may be (docs/security.md).
public struct ConnectionLimits: Sendable {
    /// Connections open at once; beyond it a new one is told so and closed.
    public var maximumConnections: Int
    /// How long the daemon waits for the rest of a line a client has begun.
    var partialLineTimeout: TimeAmount
    public var maximumLineLength: Int
    /// Unanswered and unread answers a client may leave before the daemon stops reading from it.
    var budget: ConnectionState.Budget
    /// The channel's own buffer of written, unsent answers: past `high` it is not writable (and the
    /// connection takes no more lines) until it drains below `low`.
    var writeBufferWaterMark: ChannelOptions.Types.WriteBufferWaterMark
    /// The largest single read from a socket.
    var maximumReadSize: Int

    public static let defaultMaximumConnections = 1024
    public static let defaultPartialLineSeconds = 30

    /// - Parameter partialLineSeconds: at least 1 (the daemon's options allow 1 to 3600).
    public init(maximumConnections: Int = ConnectionLimits.defaultMaximumConnections, partialLineSeconds: Int = ConnectionLimits.defaultPartialLineSeconds, maximumLineLength: Int = 64 * 1024) {
        self.maximumConnections = max(1, maximumConnections)
        self.partialLineTimeout = .seconds(Int64(min(max(1, partialLineSeconds), 86_400)))
        self.maximumLineLength = maximumLineLength
        self.budget = .standard
        self.writeBufferWaterMark = .init(low: 64 * 1024, high: 256 * 1024)
        self.maximumReadSize = 64 * 1024
    }
}
