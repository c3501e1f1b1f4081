import CallwardenCore
import Crypto
import Foundation

/// A policy as read from its file: the parsed rules plus where they came from.
public struct LoadedPolicy: Sendable {
    public var policy: Policy
    public var path: String
    /// The first 12 hex digits of the file's SHA-256: tells two versions of a file apart in
    /// `status` and the journal.
    public var hash: String
    public var loadedAt: Double

    /// Reads and checks the policy file at `path`.
    /// - Throws: `PolicyErrors` naming file, line and key for every problem found.
    public static func load(path: String, now: Double = Date().timeIntervalSince1970) throws(PolicyErrors) -> LoadedPolicy {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PolicyErrors([PolicyError(file: path, line: 0, key: "", message: "cannot read the file: \(Self.reason(error))")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PolicyErrors([PolicyError(file: path, line: 0, key: "", message: "the file is not UTF-8 text")])
        }
        let policy = try PolicyParser.parse(text, file: path)
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return LoadedPolicy(policy: policy, path: path, hash: String(digest.prefix(12)), loadedAt: now)
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}
