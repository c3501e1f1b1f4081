/// What the benchmark sends: a caller population, and request lines generated on the fly.
///
/// Lines are built byte by byte rather than with string interpolation or a JSON encoder: at
/// 100,000 requests a second the client's own cost per line is taken from the same two cores the
/// server needs, and generating on the fly (instead of replaying a small pre-built set) makes the
/// server look callers up all over its history index, as real traffic does, not in a few hot
/// cache lines.

/// The kinds of request the benchmark tells apart in its latency figures.
enum RequestKind: UInt8, CaseIterable {
    case offered
    case abuse

    var name: String {
        switch self {
        case .offered: "call.offered"
        case .abuse: "abuse"
        }
    }
}

/// The callers the benchmark knows. `withHistory` of them have (or get, when seeded) incidents on
/// record; they are one in `spread` of the population, so calls offered by callers drawn evenly
/// from the population find a history 1/`spread` of the time (5% by default).
struct Population: Sendable {
    let withHistory: Int
    let spread: Int

    init(withHistory: Int, spread: Int = 20) {
        self.withHistory = withHistory
        self.spread = spread
    }

    var size: Int { max(withHistory * spread, 1000) }

    /// The population index of the `k`-th caller with history.
    func indexWithHistory(_ k: Int) -> Int { k * spread }

    /// The national significant number of caller `index`: UK mobile numbers 74xxxxxxxx. The index
    /// is scattered over the 10^8 numbers by a multiplier coprime with 10^8, so neighbours in the
    /// population are not neighbours in the hash table's key order.
    func nationalNumber(_ index: Int) -> UInt64 {
        7_400_000_000 + (UInt64(index) &* 7_919) % 100_000_000
    }
}

/// How a switch presents a caller. The daemon normalises all of these to the same E.164 key.
enum Presentation {
    case e164, national, sipURI, withheld

    /// The realistic spread: mostly E.164 and national numbers, some SIP URIs, a few withheld.
    static func pick(_ roll: UInt64) -> Presentation {
        switch roll % 100 {
        case 0..<60: .e164
        case 60..<85: .national
        case 85..<95: .sipURI
        default: .withheld
        }
    }
}

/// The abuse kinds of the shipped policy, with a plausible share each (physical threats are rare;
/// each also costs the daemon an alert entry in its log).
enum AbuseKinds {
    static func pick(_ roll: UInt64) -> StaticString {
        switch roll % 100 {
        case 0..<55: "verbal"
        case 55..<75: "nuisance"
        case 75..<87: "time_wasting"
        case 87..<97: "threat"
        default: "physical_threat"
        }
    }
}

/// SplitMix64: a fast, decent generator, seeded per connection so runs are repeatable.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Appends protocol text to a byte buffer without going through `String`.
extension Array where Element == UInt8 {
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func append(decimal value: UInt64) {
        if value == 0 { append(UInt8(ascii: "0")); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        Swift.withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            append(contentsOf: raw[(20 - count)...])
        }
    }

    mutating func append(decimal value: Int) { append(decimal: UInt64(value)) }

    /// The caller as `presentation` writes national significant number `number` (10 digits).
    mutating func appendCaller(_ number: UInt64, _ presentation: Presentation) {
        switch presentation {
        case .e164:
            append("+44")
            append(decimal: number)
        case .national:
            // 07412 345678
            append("0")
            append(decimal: number / 1_000_000)
            append(" ")
            appendPadded(number % 1_000_000, width: 6)
        case .sipURI:
            append("sip:+44")
            append(decimal: number)
            append("@gw1.carrier.example;user=phone")
        case .withheld:
            append("anonymous")
        }
    }

    mutating func appendPadded(_ value: UInt64, width: Int) {
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

/// Where a driver gets its next request line.
protocol RequestSource: Sendable {
    /// Appends the next line (with its newline) to `line` and says what it is; nil when the
    /// source is exhausted.
    mutating func next(into line: inout [UInt8]) -> RequestKind?
}

/// Live traffic: `call.offered` from callers drawn evenly from the population, and a share of
/// `abuse` reports (time: now) about callers drawn the same way.
struct TrafficMix: RequestSource {
    let population: Population
    /// Abuse reports per 10,000 requests.
    let abusePerTenThousand: UInt64
    let connection: Int
    var rng: SplitMix64
    var sequence: UInt64 = 0

    /// Call ids cycle through this many per connection. The daemon follows every offered call
    /// until it ends; the benchmark sends no `call.ended`, so reusing ids (as a switch does in
    /// effect, with calls ending) keeps the set of open calls at a realistic size instead of
    /// letting it grow by every request of the run.
    static let callIDsPerConnection: UInt64 = 4096

    init(population: Population, abuseShare: Double, connection: Int, seed: UInt64) {
        self.population = population
        abusePerTenThousand = UInt64((abuseShare * 10_000).rounded())
        self.connection = connection
        rng = SplitMix64(state: seed &+ UInt64(connection) &* 0x1000_0000_01B3)
    }

    mutating func next(into line: inout [UInt8]) -> RequestKind? {
        sequence += 1
        let roll = rng.next()
        let caller = population.nationalNumber(Int((roll >> 20) % UInt64(population.size)))
        if roll % 10_000 < abusePerTenThousand {
            line.append(#"{"type":"abuse","id":"#)
            line.append(decimal: sequence)
            line.append(#","caller":""#)
            line.appendCaller(caller, Presentation.pick(roll >> 8) == .sipURI ? .sipURI : .e164)
            line.append(#"","kind":""#)
            line.append(AbuseKinds.pick(roll >> 12))
            line.append(#"","agent":"agent-"#)
            line.append(decimal: (roll >> 40) % 400)
            line.append(#"","note":"swore at the agent repeatedly"}"#)
            line.append("\n")
            return .abuse
        }
        line.append(#"{"type":"call.offered","id":"#)
        line.append(decimal: sequence)
        line.append(#","call":"1700000000."#)
        line.append(decimal: connection)
        line.append("-")
        line.append(decimal: sequence % Self.callIDsPerConnection)
        line.append(#"","caller":""#)
        line.appendCaller(caller, Presentation.pick(roll >> 8))
        line.append(#"","dialed":"0800 496 0000"}"#)
        line.append("\n")
        return .offered
    }
}

/// The history to seed: each caller with history gets 1 incident (85%), 2 (10%) or 3 (5%), of mixed
/// kinds, dated over the past two years so that standing has decayed by different amounts. One
/// connection's share is every `connections`-th caller.
struct SeedHistory: RequestSource {
    let population: Population
    let connections: Int
    let now: UInt64
    var k: Int
    var incidentOfCaller = 0
    var sequence: UInt64 = 0

    init(population: Population, connection: Int, connections: Int, now: UInt64) {
        self.population = population
        self.connections = connections
        self.now = now
        k = connection
    }

    static func incidents(ofCaller k: Int) -> Int {
        var mixer = SplitMix64(state: UInt64(k))
        switch mixer.next() % 100 {
        case 0..<85: return 1
        case 85..<95: return 2
        default: return 3
        }
    }

    /// Incidents to seed for `count` callers in all (for progress and checks).
    static func totalIncidents(callers count: Int) -> Int {
        (0..<count).reduce(0) { $0 + incidents(ofCaller: $1) }
    }

    mutating func next(into line: inout [UInt8]) -> RequestKind? {
        guard k < population.withHistory else { return nil }
        var mixer = SplitMix64(state: UInt64(k) &* 31 &+ UInt64(incidentOfCaller))
        let roll = mixer.next()
        sequence += 1
        line.append(#"{"type":"abuse","id":"#)
        line.append(decimal: sequence)
        line.append(#","caller":"+44"#)
        line.append(decimal: population.nationalNumber(population.indexWithHistory(k)))
        line.append(#"","kind":""#)
        line.append(AbuseKinds.pick(roll))
        line.append(#"","agent":"agent-"#)
        line.append(decimal: (roll >> 16) % 400)
        line.append(#"","at":"#)
        line.append(decimal: now - (roll >> 24) % (2 * 365 * 86_400))
        line.append("}\n")
        incidentOfCaller += 1
        if incidentOfCaller >= Self.incidents(ofCaller: k) {
            incidentOfCaller = 0
            k += connections
        }
        return .abuse
    }
}
