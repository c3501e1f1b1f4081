import NIOCore

/// What the metrics endpoint lets a client cost: a scraper needs one small request at a time.
public struct MetricsLimits: Sendable {
    /// Connections served at once; another is answered 503 and closed.
    public var maximumConnections: Int
    /// Bytes a connection may send in all (the request line and headers of one GET); past it the
    /// connection is closed unanswered.
    public var maximumRequestBytes: Int
    /// How long a connection may stay open, whatever it does; then it is closed.
    public var connectionTimeout: TimeAmount

    public init(maximumConnections: Int = 4, maximumRequestBytes: Int = 8 * 1024, connectionTimeout: TimeAmount = .seconds(10)) {
        self.maximumConnections = max(1, maximumConnections)
        self.maximumRequestBytes = max(256, maximumRequestBytes)
        self.connectionTimeout = connectionTimeout
    }
}
