/// Durations in policy files read as operators write them: `90s`, `10m`, `12h`, `90d`, `2w`, `1y`,
/// or a bare number of seconds.
enum PolicyDuration {
    static let units: [(suffix: String, seconds: Double)] = [
        ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000),
    ]

    /// Seconds, or nil if `text` is not a duration.
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        if let plain = Double(trimmed) { return plain }
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            guard let value = Double(trimmed.dropLast(unit.suffix.count)) else { return nil }
            return value * unit.seconds
        }
        return nil
    }
}
