/// What one load run measured.
struct LoadResult {
    var name: String
    /// Seconds of the measured window (after warm-up).
    var seconds: Double
    /// Answers received inside the measured window, by kind.
    var answeredInWindow: [Int] = Array(repeating: 0, count: RequestKind.allCases.count)
    /// Answers of the whole run, warm-up included.
    var answered = 0
    var sent = 0
    var failures = 0
    var firstFailure: String?
    /// Answers never received (the run ended, or a connection failed).
    var missing = 0
    /// Latency from the intended send time (open loop) or the actual send time (closed loop).
    var latency = LatencySamples()
    /// Open loop only: latency from when the request was really written.
    var serviceLatency = LatencySamples()
    /// Open loop only: how late the sender wrote requests behind their schedule, at worst (µs).
    var worstSendLag: Double = 0
    var error: String?
    /// CPU used while the load ran (warm-up included).
    var cpu: CPUUsage?

    /// Server CPU time per answered request, in µs.
    var serverMicrosPerRequest: Double? {
        guard let cpu, answered > 0 else { return nil }
        return cpu.serverSeconds * 1e6 / Double(answered)
    }

    func rate(of kind: RequestKind) -> Double {
        seconds > 0 ? Double(answeredInWindow[Int(kind.rawValue)]) / seconds : 0
    }

    var totalRate: Double {
        seconds > 0 ? Double(answeredInWindow.reduce(0, +)) / seconds : 0
    }

    mutating func merge(_ other: LoadResult) {
        for index in answeredInWindow.indices { answeredInWindow[index] += other.answeredInWindow[index] }
        answered += other.answered
        sent += other.sent
        failures += other.failures
        firstFailure = firstFailure ?? other.firstFailure
        missing += other.missing
        latency.merge(other.latency)
        serviceLatency.merge(other.serviceLatency)
        worstSendLag = max(worstSendLag, other.worstSendLag)
        error = error ?? other.error
    }
}
