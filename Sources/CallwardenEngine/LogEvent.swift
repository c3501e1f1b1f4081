import Logging

/// The notable things callwarden logs, each with a stable id so that an admin can find every one
/// of a kind (`journalctl MESSAGE_ID=...`). systemd/callwarden.catalog explains each id.
///
/// The engine only puts the id and the event's fields in a log entry's metadata; a log handler
/// decides how they reach the journal (see CallwardenSystemd's JournalLogHandler).
public enum LogEvent: String, Sendable, CaseIterable {
    case incidentRecorded = "c2a1910b13774e1685d997a394fc48de"
    case alert = "8afba39ff60a42b697e661e9e07291ee"
    case routeDecided = "db9de343db84435b8492bbcd2620c804"
    case policyReloaded = "b628e2abe88242af82c82c25dfa6b0e3"
    case policyRejected = "48c9dd35cfa24a3780bc89535fbb2f90"
    case incidentForgiven = "5a0f16ea69354a34bebf792cb6b0363c"
    case hangupDecided = "efa199266ade4db0aec902b68caf2e14"
    case forbidden = "8348bc5e619849cdb6784e20f27ff475"
    case recordDegraded = "3f0c6a1d9b2e4c87a5d1e6f2b7c94a10"
    case recordRecovered = "9d4e2b7a61c84f03b2e5a7c1d8f6e392"
    case shadowMatched = "6b1f0c9e4a2d47d38e5f9a0b7c3d2e14"
    case exemptionChanged = "a47e2c915d3b4f08b6e1c2d9f0a85b73"
    case reviewDecided = "2e9d7b64c1f04a5a9b3e8d0c6f17a2b5"
    case agentWelfare = "7c3e91a4f0d84b6e9a25d1c8b4f06e37"
    case supervisorNeeded = "e0d896e66d574cb3ab8dc2b1fd03e114"
    case supervisorAnswered = "fd9defd9f5a64edb9bb9d5e1b8b3dbdd"
    case supervisorTimedOut = "a30b75ad43a44860a4c4ed7d3c401f5f"
    /// A node of a cluster lost the shared record: writes spool (or are refused).
    case sharedRecordUnreachable = "3fadedf945e74bb7b34c4e87e21dd46f"
    /// The shared record answers again and every spooled write has reached it.
    case sharedRecordReachable = "6e22046d4b244ab296ee091021d3a292"

    /// Metadata key under which the id travels.
    public static let metadataKey = "message_id"

    public var metadataValue: Logger.MetadataValue { .string(rawValue) }
}
