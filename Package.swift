// swift-tools-version:6.1
//
// callwarden: protects contact-centre staff from abusive callers.
//
// Modules, and what each may import (the arrow points at what it depends on):
//
//   callwardend ──► CallwardenServer ──► CallwardenEngine ──► CallwardenStore ──► CallwardenCore
//        │                 └──────────► CallwardenProtocol (JSON lines, requests: no callwarden module)
//        ├──────► CallwardenSystemd ──► CSystemd (libsystemd)
//        └──────► CallwardenMetrics ──► CallwardenEngine, CallwardenCore, CallwardenProtocol (the opt-in
//                                       Prometheus endpoint: swift-metrics, swift-prometheus, NIOHTTP1)
//   callwardenctl ──► CallwardenExport ──► CallwardenProtocol, CallwardenRecord
//        └──────────► CallwardenProtocol, CallwardenRecord, CallwardenCore (directly too)
//   CallwardenStore ──► CallwardenRecord (the record's format: hashes, chain verification)
//   CallwardenServer ──► CallwardenStore, CallwardenCore, CallwardenRecord (types in answers)
//   CallwardenServer ──► CallwardenReplay ──► CallwardenStore, CallwardenCore (`policy.test`), CallwardenLocking
//   callwarden-bench ──► CallwardenReplay, CallwardenStore (the replay step), CallwardenCore, CallwardenProtocol
//   CallwardenStore, CallwardenEngine, CallwardenServer, CallwardenReplay ──► CallwardenLocking ──► CThreadSanitizer
//   CallwardenCluster ──► CallwardenStore, CallwardenRecord, CallwardenLocking (a cluster's shared record in PostgreSQL, through PostgresNIO)
//   callwardend ──► CallwardenReplication ──► CallwardenCluster, CallwardenEngine, CallwardenStore (a node of a
//                                              cluster: ships its commits, takes in other nodes' entries)
//   PostgresTestServer (tests only: a real PostgreSQL run by the tests) ──► no callwarden module
//
// CallwardenExport reads and verifies an export file from its bytes, for callwardenctl and for
// anyone who fuzzes or embeds the reader (the library product of the same name).
//
// CallwardenCore is pure: caller numbers, the policy, standing, routing and the in-call ladder,
// with no I/O. Everything that touches a disk, a socket or systemd lives further out.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "callwarden",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callwardend", targets: ["callwardend"]),
        .executable(name: "callwardenctl", targets: ["callwardenctl"]),
        .executable(name: "callwarden-bench", targets: ["callwarden-bench"]),
        // For the fuzzing package in Tests/Fuzz, which links the parsers of outside input.
        .library(name: "CallwardenCore", targets: ["CallwardenCore"]),
        .library(name: "CallwardenProtocol", targets: ["CallwardenProtocol"]),
        .library(name: "CallwardenRecord", targets: ["CallwardenRecord"]),
        .library(name: "CallwardenExport", targets: ["CallwardenExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // The metrics endpoint (`callwardend --metrics`): linked by the daemon only.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The shared record of a cluster of nodes (CallwardenCluster).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // MARK: The pure core
        .target(
            name: "CallwardenCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),

        // MARK: Locks
        // Swift's Mutex, told to the thread sanitizer (see Locked.swift for why).
        .target(name: "CThreadSanitizer"),
        .target(name: "CallwardenLocking", dependencies: ["CThreadSanitizer"], swiftSettings: swiftSettings),

        // MARK: The durable record
        // The record's format (canonical entry hash, chain verification, purge notes), apart from
        // the store so that callwardenctl can verify an export offline without linking SQLite.
        .target(
            name: "CallwardenRecord",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CallwardenStore",
            dependencies: [
                "CallwardenLocking",
                "CallwardenCore",
                "CallwardenRecord",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's own functions, which GRDB links: `report` steps its statement directly.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // The export file: its format, and reading and verifying one from its bytes, apart from
        // callwardenctl so that a fuzz target and callwardenctl share one reader.
        .target(
            name: "CallwardenExport",
            dependencies: ["CallwardenProtocol", "CallwardenRecord"],
            swiftSettings: swiftSettings
        ),

        // MARK: Replaying the record through a candidate policy
        // Pure over the record's entries; reads the record only through the store's streaming reader.
        .target(
            name: "CallwardenReplay",
            dependencies: ["CallwardenCore", "CallwardenStore", "CallwardenLocking"],
            swiftSettings: swiftSettings
        ),

        // MARK: Where the core meets the store
        .target(
            name: "CallwardenEngine",
            dependencies: [
                "CallwardenLocking",
                "CallwardenCore",
                "CallwardenStore",
                "CallwardenRecord",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The wire
        .target(
            name: "CallwardenProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(name: "CLinuxShims"),
        .target(
            name: "CallwardenServer",
            dependencies: [
                "CallwardenLocking",
                "CallwardenCore",
                "CallwardenStore",
                "CallwardenProtocol",
                "CallwardenEngine",
                "CallwardenRecord",
                "CallwardenReplay",
                "CLinuxShims",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The metrics endpoint
        // swift-metrics counters fed by the engine's meter, rendered by swift-prometheus and
        // served over HTTP/1.1 on an opt-in loopback address or Unix socket. Only the daemon links
        // it, so nothing else pays for these packages.
        .target(
            name: "CallwardenMetrics",
            dependencies: [
                "CallwardenLocking",
                "CallwardenCore",
                "CallwardenEngine",
                "CallwardenProtocol",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The shared record
        // Nodes of a cluster ship their committed entries to one PostgreSQL record, which extends
        // a shared hash chain, and read back each other's entries. Apart from the store so that a
        // standalone daemon's record needs nothing of PostgreSQL.
        .target(
            name: "CallwardenCluster",
            dependencies: [
                "CallwardenLocking",
                "CallwardenStore",
                "CallwardenRecord",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Between a node's engine and the shared record: ships each local commit (or spools it),
        // and folds other nodes' entries into the engine's memory.
        .target(
            name: "CallwardenReplication",
            dependencies: [
                "CallwardenCluster",
                "CallwardenEngine",
                "CallwardenStore",
                "CallwardenLocking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: systemd glue
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "CallwardenSystemd",
            dependencies: [
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables: thin shells
        .executableTarget(
            name: "callwardend",
            dependencies: [
                "CallwardenCore",
                "CallwardenStore",
                "CallwardenEngine",
                "CallwardenServer",
                "CallwardenSystemd",
                "CallwardenMetrics",
                "CallwardenCluster",
                "CallwardenReplication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "callwardenctl",
            dependencies: [
                "CallwardenCore",
                "CallwardenExport",
                "CallwardenProtocol",
                "CallwardenRecord",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "callwarden-bench",
            dependencies: [
                "CallwardenCore",
                "CallwardenProtocol",
                "CallwardenReplay",
                "CallwardenStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/callwarden-bench",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests, fast to real
        .testTarget(name: "CallwardenCoreTests", dependencies: ["CallwardenCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CallwardenProtocolTests", dependencies: ["CallwardenProtocol", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "CallwardenRecordTests", dependencies: ["CallwardenRecord"]),
        .testTarget(
            name: "CallwardenReplayTests",
            dependencies: ["CallwardenReplay", "CallwardenCore", "CallwardenStore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "CallwardenEngineTests",
            dependencies: ["CallwardenEngine", "CallwardenCore", "CallwardenStore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "CallwardenExportTests", dependencies: ["CallwardenExport", "CallwardenProtocol", "CallwardenRecord"]),
        .testTarget(name: "CallwardenStoreTests", dependencies: ["CallwardenStore", "CallwardenCore", "CallwardenRecord", "CallwardenExport", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CallwardenSystemdTests", dependencies: ["CallwardenSystemd", .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "CallwardenServerTests", dependencies: ["CallwardenServer", "CallwardenProtocol", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "CallwardenMetricsTests", dependencies: ["CallwardenMetrics", "CallwardenEngine", "CallwardenCore", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "CallwardenEndToEndTests", dependencies: ["CallwardenProtocol", "PostgresTestServer"]),
        // A real PostgreSQL for the tests: initdb and postgres in a temporary directory, run as an
        // unprivileged user on a private Unix socket directory. Only test targets link it.
        .target(name: "PostgresTestServer", path: "Tests/PostgresTestServer", swiftSettings: swiftSettings),
        .testTarget(name: "CallwardenReplicationTests", dependencies: ["CallwardenReplication"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CallwardenClusterTests",
            dependencies: [
                "CallwardenCluster",
                "CallwardenStore",
                "CallwardenRecord",
                "PostgresTestServer",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
