import Foundation
import Testing

extension ProcessEnvironmentTests {
    /// Checks the shipped unit files, sysusers, tmpfiles and catalog with systemd's own tools, and
    /// scripts/install.sh into a staging directory. None of this needs systemd to be running.
    /// Serialized with the environment tests because starting a process reads the environment.
    @Suite("systemd files", .enabled(if: SystemdTools.available, "systemd-analyze not found: skipping the systemd file checks"))
    struct SystemdFilesTests {
        static let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        static let unitDirectory = repository.appendingPathComponent("systemd")

        /// `systemd-analyze verify` insists that ExecStart='s binary exists. The units are verified as
        /// shipped except that ExecStart= points at /bin/true, in a temporary copy of the directory.
        @Test func units_passSystemdAnalyzeVerify() throws {
            let directory = try TemporaryDirectory()
            let service = try String(contentsOf: Self.unitDirectory.appendingPathComponent("callwarden.service"), encoding: .utf8)
            #expect(service.contains("ExecStart=/usr/bin/callwardend "))
            try service.replacingOccurrences(of: "ExecStart=/usr/bin/callwardend ", with: "ExecStart=/bin/true ")
                .write(to: directory.url.appendingPathComponent("callwarden.service"), atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(
                at: Self.unitDirectory.appendingPathComponent("callwarden.socket"),
                to: directory.url.appendingPathComponent("callwarden.socket")
            )

            let result = try SystemdTools.run(
                "systemd-analyze",
                ["verify", "--man=no", "callwarden.socket", "callwarden.service"],
                in: directory.url
            )
            #expect(result.status == 0, "systemd-analyze verify: \(result.output)")
            #expect(result.output.isEmpty, "systemd-analyze verify warned: \(result.output)")
        }

        @Test func service_exposureIsAtMostTwo() throws {
            let result = try SystemdTools.run(
                "systemd-analyze",
                ["security", "--offline=yes", "--no-pager", "callwarden.service"],
                in: Self.unitDirectory
            )
            let line = try #require(
                result.output.split(separator: "\n").first { $0.contains("Overall exposure level for callwarden.service") },
                "no exposure line in: \(result.output)"
            )
            // "→ Overall exposure level for callwarden.service: 0.4 SAFE 😀"
            let score = try #require(
                line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) },
                "cannot read the score in: \(line)"
            )
            #expect(score <= 2.0, "\(line)")
        }

        /// The hardening relaxations are deliberate; they must not creep back in.
        @Test func service_keepsRolesWorking() throws {
            let service = try String(contentsOf: Self.unitDirectory.appendingPathComponent("callwarden.service"), encoding: .utf8)
            let settings = service.split(separator: "\n").filter { !$0.hasPrefix("#") }
            #expect(!settings.contains { $0.hasPrefix("PrivateUsers=") })
            #expect(!settings.contains { $0.hasPrefix("DynamicUser=") })
            #expect(settings.contains("Type=notify"))
            #expect(settings.contains("User=callwarden"))
            #expect(settings.contains("RestrictAddressFamilies=AF_UNIX"))
            #expect(settings.contains("SystemCallErrorNumber=EPERM"))
            // RuntimeDirectory= would chown /run/callwarden and the socket in it to the callwarden
            // group on every start, locking callwarden-telephony out (found under systemd 252).
            #expect(!settings.contains { $0.hasPrefix("RuntimeDirectory=") })
            // ConfigurationDirectory= alone leaves /etc/callwarden writable to the service.
            #expect(settings.contains("ReadOnlyPaths=/etc/callwarden"))
        }

        @Test func catalog_hasAnEntryForEveryMessageID() throws {
            let root = try TemporaryDirectory()
            let catalogDirectory = root.url.appendingPathComponent("usr/lib/systemd/catalog")
            try FileManager.default.createDirectory(at: catalogDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: Self.unitDirectory.appendingPathComponent("callwarden.catalog"),
                to: catalogDirectory.appendingPathComponent("callwarden.catalog")
            )
            let update = try SystemdTools.run("journalctl", ["--root=\(root.url.path)", "--update-catalog"])
            #expect(update.status == 0, "journalctl --update-catalog: \(update.output)")

            let list = try SystemdTools.run("journalctl", ["--root=\(root.url.path)", "--list-catalog"])
            let listed = Set(list.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
            let ids = try Self.messageIDs()
            // Read from LogEvent.swift's source: at least the ids shipped so far, none twice.
            #expect(ids.count >= 13)
            #expect(Set(ids).count == ids.count)
            for id in ids {
                #expect(listed.contains(id), "no catalog entry for \(id)")
                let entry = try SystemdTools.run("journalctl", ["--root=\(root.url.path)", "--dump-catalog", id]).output
                #expect(entry.contains("Subject: "))
                #expect(entry.contains("Defined-By: callwarden"))
                #expect(entry.contains("Support: "))
            }
        }

        @Test func sysusers_createUserAndGroups() throws {
            let root = try TemporaryDirectory()
            try FileManager.default.createDirectory(at: root.url.appendingPathComponent("etc"), withIntermediateDirectories: true)
            let result = try SystemdTools.run(
                "systemd-sysusers",
                ["--root=\(root.url.path)", Self.unitDirectory.appendingPathComponent("callwarden.sysusers").path]
            )
            #expect(result.status == 0, "systemd-sysusers: \(result.output)")
            let passwd = try String(contentsOf: root.url.appendingPathComponent("etc/passwd"), encoding: .utf8)
            let group = try String(contentsOf: root.url.appendingPathComponent("etc/group"), encoding: .utf8)
            #expect(passwd.contains("callwarden:x:"))
            for name in ["callwarden", "callwarden-telephony", "callwarden-admin", "callwarden-supervisor"] {
                #expect(group.contains("\(name):x:"))
            }
        }

        @Test func installScript_stagesEverythingUnderDESTDIR() throws {
            let build = try TemporaryDirectory()
            for binary in ["callwardend", "callwardenctl"] {
                let path = build.url.appendingPathComponent(binary).path
                #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
            }
            let destination = try TemporaryDirectory()
            // An operator's policy is already there: it must survive.
            let policy = destination.url.appendingPathComponent("etc/callwarden/policy.yaml")
            try FileManager.default.createDirectory(at: policy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "# the operator's own\n".write(to: policy, atomically: true, encoding: .utf8)

            let result = try SystemdTools.run(
                "sh",
                [Self.repository.appendingPathComponent("scripts/install.sh").path, build.url.path],
                environment: ["DESTDIR": destination.url.path]
            )
            #expect(result.status == 0, "install.sh: \(result.output)")
            for path in [
                "usr/bin/callwardend", "usr/bin/callwardenctl",
                "usr/lib/systemd/system/callwarden.service", "usr/lib/systemd/system/callwarden.socket",
                "usr/lib/sysusers.d/callwarden.conf", "usr/lib/tmpfiles.d/callwarden.conf",
                "usr/lib/systemd/catalog/callwarden.catalog", "usr/share/doc/callwarden/systemd.md",
            ] {
                #expect(FileManager.default.fileExists(atPath: destination.url.appendingPathComponent(path).path), "missing \(path)")
            }
            #expect(try String(contentsOf: policy, encoding: .utf8) == "# the operator's own\n")
        }

        /// The ids the engine logs, read from its source so that a new id without a catalog entry
        /// fails here.
        static func messageIDs() throws -> [String] {
            let source = try String(
                contentsOf: repository.appendingPathComponent("Sources/CallwardenEngine/LogEvent.swift"),
                encoding: .utf8
            )
            return source.split(separator: "\n").compactMap { line in
                guard line.trimmingCharacters(in: .whitespaces).hasPrefix("case "),
                      let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""), open < close
                else { return nil }
                return String(line[line.index(after: open)..<close])
            }
        }
    }
}

enum SystemdTools {
    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")
        || FileManager.default.isExecutableFile(atPath: "/bin/systemd-analyze")

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs a tool found on PATH, with stdout and stderr together.
    static func run(_ tool: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}

/// A directory under /tmp, removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
