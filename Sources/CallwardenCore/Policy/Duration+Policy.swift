/// Durations in policy files read as operators write them: `90s`, `10m`, `12h`, `90d`, `2w`, `1y`,
/// or a bare number of seconds.
enum PolicyDuration {
    static let units: [(suffix: String, seconds: Double)] = [
        ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000),
    ]

    /// Seconds (finite, possibly out of any bound), or nil if `text` is not a duration.
    static func seconds(_ text: String) -> Double? {
        let trimmed = String(text.trimmingSpaces)
        if let plain = PolicyNumber.decimal(trimmed) { return plain }
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            guard let value = PolicyNumber.decimal(String(trimmed.dropLast(unit.suffix.count))) else { return nil }
            let seconds = value * unit.seconds
            return seconds.isFinite ? seconds : nil
        }
        return nil
    }
}

/// Numbers in policy files: decimal text only.
enum PolicyNumber {
    /// The value of decimal text (`12`, `-3`, `0.5`, `1e3`), finite; nil for anything else.
    ///
    /// `Double(_:)` alone would also take `nan`, `inf` and hexadecimal (`0x1p4`): none is a number
    /// an operator means, and the first two would reach every score.
    static func decimal(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 64,
              text.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
              let value = Double(text), value.isFinite
        else { return nil }
        return value
    }
}
