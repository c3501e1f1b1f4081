import CallwardenProtocol
import Foundation

/// Times and ages as a supervisor reads them.
enum HumanTime {
    /// `2026-11-20 14:03 UTC` from RFC 3339 text; the text itself if it cannot be read.
    static func when(_ text: String?) -> String {
        guard let text, let seconds = EventTime.parse(text) else { return text ?? "-" }
        return when(seconds)
    }

    static func when(_ seconds: Double) -> String {
        let date = Date(timeIntervalSince1970: seconds)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// How long ago, in the two largest units: `3d 2h`, `5m`, `1y 20d`.
    static func age(_ text: String?, now: Double = Date().timeIntervalSince1970) -> String {
        guard let text, let seconds = EventTime.parse(text) else { return "-" }
        return duration(now - seconds)
    }

    static func duration(_ interval: Double) -> String {
        var rest = Int(max(0, interval))
        if rest < 60 { return "\(rest)s" }
        let units: [(String, Int)] = [("y", 365 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)]
        var parts: [String] = []
        var taken = 0
        for (name, size) in units {
            let count = rest / size
            rest %= size
            guard count > 0 || taken > 0 else { continue }
            taken += 1
            if count > 0 { parts.append("\(count)\(name)") }
            if taken == 2 { break }
        }
        return parts.joined(separator: " ")
    }

    /// A score or weight to two decimals.
    static func number(_ value: JSONValue?) -> String {
        guard let double = value?.double else { return value.text }
        return String(format: "%.2f", double)
    }

    /// A period such as `30d`, `12h`, `90m`, `2w`, `1y`, or a bare number of seconds. Never
    /// infinite: JSON has no infinity, and one written would reach the daemon as `null`, as if the
    /// option had not been given.
    static func parsePeriod(_ text: String) -> Double? {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return seconds }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "y": 31_536_000]
        guard let unit = text.last, let size = units[unit], let count = Double(text.dropLast()), count.isFinite, count >= 0 else { return nil }
        let seconds = count * size
        return seconds.isFinite ? seconds : nil
    }

    /// `--until`: RFC 3339, or a period from now (`90d`). Returns seconds since 1970, within the
    /// times the daemon takes (`EventTime.window`).
    static func parseUntil(_ text: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        let seconds = EventTime.parse(text) ?? parsePeriod(text).map { now + $0 }
        return seconds.flatMap { EventTime.window.contains($0) ? $0 : nil }
    }

    /// `--since`: RFC 3339, seconds since 1970, or an age such as `7d`, `12h`, `90m`, `2w` (that
    /// long before now). Returns seconds since 1970, within the times the daemon takes
    /// (`EventTime.window`): `inf` or `1e400` would otherwise reach it as `null`, and every call
    /// would be compared or exported as if `--since` had not been given.
    static func parseSince(_ text: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        let seconds: Double?
        if let number = Double(text) {
            seconds = number
        } else if let date = EventTime.parse(text) {
            seconds = date
        } else {
            // A bare number was read above as a time; here only an age with its unit (`7d`).
            guard let age = parsePeriod(text) else { return nil }
            seconds = now - age
        }
        return seconds.flatMap { $0.isFinite && EventTime.window.contains($0) ? $0 : nil }
    }
}
