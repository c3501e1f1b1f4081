import Foundation

/// SplitMix64: a small, fast generator whose whole state is one number, so that a failing case
/// is replayed from its seed. Hand-written rather than taken from a package: it is a dozen lines,
/// and a property-testing package would cost build time for no more than this.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }
}

/// How many cases a property runs, and from which seed: fixed by default so that every run
/// checks the same cases; `CALLWARDEN_PROPERTY_SEED` and `CALLWARDEN_PROPERTY_CASES` choose others
/// (a failure names the seed that replays it).
enum PropertySettings {
    static let defaultSeed: UInt64 = 0x00CA_11DE_5EED_2026
    static let defaultCases = 200

    static var seed: UInt64 {
        guard let text = ProcessInfo.processInfo.environment["CALLWARDEN_PROPERTY_SEED"] else { return defaultSeed }
        return UInt64(text) ?? UInt64(text.dropFirst(text.hasPrefix("0x") ? 2 : 0), radix: 16) ?? defaultSeed
    }

    static var cases: Int {
        guard let text = ProcessInfo.processInfo.environment["CALLWARDEN_PROPERTY_CASES"], let count = Int(text) else { return defaultCases }
        return min(max(count, 1), 100_000)
    }

    /// Each case's own seed, derived from the run's, so that one case replays on its own.
    static func caseSeed(_ index: Int, of seed: UInt64) -> UInt64 {
        var generator = SeededGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return generator.next()
    }
}
