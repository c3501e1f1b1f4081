import ArgumentParser
import CallwardenCore
import Crypto
import Foundation

struct CheckPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-policy",
        abstract: "Check a policy file without the daemon.",
        discussion: """
            Reads the file with the same parser as callwardend and prints what `callwardend \
            --check-policy` prints: a one-line summary of a valid policy (and a warning for each rule \
            an earlier rule always catches first), or every error with file, \
            line and key. Exits 0 if the policy is valid, 1 if not. Needs no socket and no role.
            """)

    @Argument(help: "The policy file.")
    var file: String

    func run() throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            try fail(PolicyError(file: file, line: 0, key: "", message: "cannot read the file: \(Self.reason(error))").description)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            try fail(PolicyError(file: file, line: 0, key: "", message: "the file is not UTF-8 text").description)
        }
        do {
            let policy = try PolicyParser.parse(text, file: file)
            // The same short hash as the daemon's `status`: the first 12 hex digits of the file's SHA-256.
            let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined().prefix(12)
            for line in policy.checkReport(file: file, hash: hash) { print(line) }
        } catch {
            try fail(error.description)
        }
    }

    /// Exit status 1, as `callwardend --check-policy` uses for an invalid policy.
    private func fail(_ message: String) throws -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        throw ExitCode(1)
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}
