// swift-tools-version:6.1
//
// Coverage-guided fuzzing of every parser that reads outside input, with libFuzzer. Built and run
// by scripts/fuzz.sh; not part of the main package, whose build must not need the sanitizer.
//
//   fuzz-wire ──► CallwardenProtocol (line framing, JSON parser, request decoder, JSON writer)
//   fuzz-policy ──► CallwardenCore (policy reader)
//   fuzz-export ──► CallwardenExport (export reading and verification, as callwardenctl does)
import Foundation
import PackageDescription

/// The callwarden package two levels up. A path dependency is known by its directory's name,
/// whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let callwarden = root.lastPathComponent.lowercased()

let package = Package(
    name: "callwarden-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "fuzz-wire",
            dependencies: [
                "CLibFuzzer",
                .product(name: "CallwardenProtocol", package: callwarden),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "fuzz-policy",
            dependencies: ["CLibFuzzer", .product(name: "CallwardenCore", package: callwarden)]
        ),
        .executableTarget(
            name: "fuzz-export",
            dependencies: ["CLibFuzzer", .product(name: "CallwardenExport", package: callwarden)]
        ),
        // Declares libFuzzer's driver. Each target's main.swift hands it the command line: SwiftPM
        // links executables with their own entry point (`main` aliased to `<module>_main`), so
        // libFuzzer's `main` cannot be used, but its driver can.
        .target(name: "CLibFuzzer"),
    ]
)
