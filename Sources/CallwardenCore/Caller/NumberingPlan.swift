/// The policy's numbering rules: how a number as presented by a switch becomes one caller.
///
/// With the UK plan (country code 44, trunk prefix 0, international prefix 00) these are all
/// `+447700900123`: `07700 900123`, `+44 7700 900123`, `00447700900123`, `(07700) 900-123`,
/// `tel:+44-7700-900123`, `sip:+447700900123@carrier;user=phone`, `sips:07700900123@pbx`.
public struct NumberingPlan: Sendable, Equatable {
    /// Digits of the country code, without `+` (e.g. `44`).
    public var countryCode: String
    /// The national (trunk) prefix dialled before a national number (e.g. `0`); empty when none.
    public var trunkPrefix: String
    /// The prefix dialled before a country code (e.g. `00`, `011`); empty when none.
    public var internationalPrefix: String
    /// Lower-case words that mean the number is withheld (`anonymous`, `restricted`, ...).
    public var withheldWords: Set<String>

    public init(countryCode: String, trunkPrefix: String, internationalPrefix: String, withheldWords: Set<String>) {
        self.countryCode = countryCode
        self.trunkPrefix = trunkPrefix
        self.internationalPrefix = internationalPrefix
        self.withheldWords = Set(withheldWords.map { $0.lowercased() })
    }

    /// Normalises a number or URI as presented. Never fails: what cannot be read as a number or an
    /// address falls into the anonymous class, so that a garbled caller id is never merged with
    /// anyone else's history.
    public func normalise(_ presented: String) -> Caller {
        var text = presented.trimmingSpaces
        // Most callers arrive as plain numbers: skip the word and URI checks for them.
        if let first = text.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "(") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
            return normaliseNumber(text).map(Caller.known) ?? .anonymous
        }
        // A display name and angle brackets (`"Jo" <sip:+44...@pbx>`) as copied from a From header.
        if let open = text.firstIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            text = text[text.index(after: open)..<close]
        }
        if text.isEmpty || isWithheld(text) { return .anonymous }

        if let uri = URIParts(text) {
            // `sip:anonymous@anonymous.invalid` (RFC 3323) and friends.
            if uri.user.isEmpty || isWithheld(uri.user) { return .anonymous }
            if let number = normaliseNumber(uri.user) { return .known(number) }
            guard uri.isSIP, !uri.host.isEmpty, uri.user.allSatisfy(Self.isAddressCharacter) else { return .anonymous }
            return .known("sip:\(uri.user.lowercased())@\(uri.host.lowercased())")
        }
        return normaliseNumber(text).map(Caller.known) ?? .anonymous
    }

    private func isWithheld(_ text: Substring) -> Bool {
        withheldWords.contains(text.lowercased())
    }

    /// `+CC...` from the digits of a number written in any of the plan's forms, or nil if the text
    /// is not a phone number. Works on UTF-8 bytes: it runs for every call offered.
    private func normaliseNumber(_ text: Substring) -> String? {
        var plus = false
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
                if digits.count > 20 { return nil }
            case UInt8(ascii: "+") where digits.isEmpty && !plus: plus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/"):
                continue  // visual separators
            default: return nil
            }
        }
        guard !digits.isEmpty else { return nil }
        var rest = digits[...]
        var prefix = "+"
        if plus {
            // already international
        } else if !internationalPrefix.isEmpty, rest.starts(with: internationalPrefix.utf8) {
            rest = rest.dropFirst(internationalPrefix.utf8.count)
        } else if !trunkPrefix.isEmpty, rest.starts(with: trunkPrefix.utf8) {
            rest = rest.dropFirst(trunkPrefix.utf8.count)
            prefix += countryCode
        } else {
            // A national number presented without its trunk prefix (some carriers strip it).
            prefix += countryCode
        }
        guard !rest.isEmpty else { return nil }
        return prefix + String(decoding: rest, as: UTF8.self)
    }

    private static func isAddressCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "._-+~!$&'*=%".contains(character))
    }
}

/// The parts of a `sip:`, `sips:` or `tel:` URI that identify a caller.
private struct URIParts {
    var isSIP: Bool
    var user: Substring
    var host: Substring

    init?(_ text: Substring) {
        let lower = text.prefix(5).lowercased()
        let rest: Substring
        if lower.hasPrefix("sips:") {
            isSIP = true; rest = text.dropFirst(5)
        } else if lower.hasPrefix("sip:") {
            isSIP = true; rest = text.dropFirst(4)
        } else if lower.hasPrefix("tel:") {
            isSIP = false; rest = text.dropFirst(4)
        } else {
            return nil
        }
        // Parameters (`;user=phone`, `;phone-context=...`) and headers (`?...`) never name the caller.
        let body = rest.prefix { $0 != ";" && $0 != "?" && $0 != ">" }
        if isSIP, let at = body.firstIndex(of: "@") {
            user = body[..<at]
            // Drop a password (`user:secret@host`) and a port (`host:5060`).
            if let colon = user.firstIndex(of: ":") { user = user[..<colon] }
            let hostPart = body[body.index(after: at)...]
            host = hostPart.prefix { $0 != ":" }
        } else if isSIP {
            // `sip:host` alone has no user: nobody to track.
            user = ""
            host = body
        } else {
            user = body
            host = ""
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return self[start...end]
    }
}
