/// Event times as switches send them: RFC 3339 text or seconds since 1970.
public enum EventTime {
    /// The earliest time an event may carry: 1970-01-01T00:00:00Z.
    public static let earliest: Double = 0
    /// The latest: 9999-12-31T23:59:59Z. Every time accepted fits four-digit RFC 3339 years and,
    /// as whole microseconds (how the record keeps it), an Int64 many times over.
    public static let latest: Double = 253_402_300_799

    /// The absolute window for any time on the wire; the daemon narrows its upper end to its own
    /// clock plus the policy's `limits.clock_skew`.
    public static let window: ClosedRange<Double> = earliest...latest

    /// `1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z`, for messages.
    public static var windowText: String { "\(format(earliest)) to \(format(latest))" }

    /// Seconds since 1970 from RFC 3339 text (`2026-11-23T16:05:00Z`, `2026-11-23T16:05:00.250+01:00`),
    /// or nil when the text is not a real instant.
    ///
    /// Read here rather than with Foundation's ISO 8601 parser, which takes impossible dates
    /// (`2026-02-30` becomes 2 March): an event's time goes into the record as sent, so a
    /// date that does not exist is refused instead of moved.
    public static func parse(_ text: String) -> Double? {
        var reader = RFC3339Reader(text.utf8)
        return reader.instant()
    }

    /// RFC 3339 text in UTC, to the second, or to the nearest millisecond when there is a
    /// fraction. Times outside the window (read from an edited record) are shown as plain seconds.
    ///
    /// Written here rather than with Foundation's ISO 8601 style, which truncates: 100000.005 (held
    /// as 100000.00499...) came out as `.004`, a time that does not read back as the one shown.
    public static func format(_ seconds: Double) -> String {
        guard window.contains(seconds) else { return seconds.isFinite ? "\(seconds)s since 1970" : "invalid time" }
        // Within the window, milliseconds fit an Int64 many times over.
        let milliseconds = Int64((seconds * 1000).rounded())
        let (days, millisecondOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (year, month, day) = RFC3339Reader.civil(fromDays: Int(days))
        let second = Int(millisecondOfDay / 1000)
        var text = "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))T"
        text += "\(digits(second / 3600, 2)):\(digits(second / 60 % 60, 2)):\(digits(second % 60, 2))"
        let fraction = Int(millisecondOfDay % 1000)
        if fraction != 0 { text += ".\(digits(fraction, 3))" }
        return text + "Z"
    }

    /// `value` in decimal, zero-padded to `width` digits.
    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// A strict reader of `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. Every field has a fixed number
/// of digits, so no arithmetic below can overflow.
struct RFC3339Reader {
    let bytes: [UInt8]
    var index = 0

    init(_ utf8: String.UTF8View) {
        // The longest valid text is 38 bytes (nine fraction digits and an offset); anything much
        // longer is not a time, and is not copied.
        bytes = utf8.count <= 64 ? Array(utf8) : []
    }

    mutating func instant() -> Double? {
        guard !bytes.isEmpty,
              let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              expect("T") || expect("t"),
              let hour = digits(2), expect(":"), let minute = digits(2), expect(":"), let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...Self.days(inMonth: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)  // 60: a leap second
        else { return nil }
        var fraction = 0.0
        if expect(".") {
            let start = index
            var scale = 1.0
            var value = 0
            while index < bytes.count, isDigit(bytes[index]), index - start < 9 {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                scale *= 10
                index += 1
            }
            guard index > start, index == bytes.count || !isDigit(bytes[index]) else { return nil }
            fraction = Double(value) / scale
        }
        guard let offset = zone(), index == bytes.count else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Double(seconds) + fraction
    }

    /// Seconds east of UTC.
    private mutating func zone() -> Int? {
        if expect("Z") || expect("z") { return 0 }
        let sign: Int
        if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
        guard let hours = digits(2), expect(":"), let minutes = digits(2), (0...23).contains(hours), (0...59).contains(minutes) else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    private mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for _ in 0..<count {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    private mutating func expect(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    private func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
