// swift-tools-version:6.1
//
// Coverage-guided fuzzing of every parser that reads outside input, with libFuzzer. Built and run
// by scripts/fuzz.sh; not part of the main package, whose build must not need the sanitizer.
//
//   fuzz-wire ──► CallwardenProtocol (line framing, JSON parser, request decoder, JSON writer)
//   fuzz-policy ──► CallwardenCore (policy reader)
//   fuzz-export ──► CallwardenProtocol, CallwardenRecord (export reading, chain verification)
import Foundation
import PackageDescription

/// The callwarden package two levels up. A path dependency is known by its directory's name,
/// whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let callwarden = root.lastPathComponent.lowercased()

/// libFuzzer supplies `main`: the targets are libraries of Swift code with no top-level code.
let fuzzSettings: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

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
                .product(name: "CallwardenProtocol", package: callwarden),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: fuzzSettings
        ),
        .executableTarget(
            name: "fuzz-policy",
            dependencies: [.product(name: "CallwardenCore", package: callwarden)],
            swiftSettings: fuzzSettings
        ),
        .executableTarget(
            name: "fuzz-export",
            dependencies: [
                .product(name: "CallwardenProtocol", package: callwarden),
                .product(name: "CallwardenRecord", package: callwarden),
            ],
            swiftSettings: fuzzSettings
        ),
    ]
)
