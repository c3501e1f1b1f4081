import Foundation
import Testing

/// Policies that passed the check and then crashed the daemon, or made its answers not JSON.
@Suite("Policy bounds, end to end")
struct PolicyBoundsEndToEndTests {
    @Test("--check-policy refuses out-of-bounds values with file:line, and the daemon will not start on them", arguments: [
        ("\nretention:\n  forgiven: 300000y\n", 2, "retention.forgiven: must be from 1s to 100y, not 300000y"),
        ("\nalert:\n  command: [/bin/true]\n  timeout: 1e21\n", 3, "alert.timeout: must be from 1s to 10m, not 1e21"),
    ])
    func checkRefuses(extra: String, lineAfterShipped: Int, message: String) throws {
        let daemon = try Daemon()
        let shipped = try Daemon.shippedPolicyText()
        let path = try daemon.usePolicy(shipped + extra).path
        let line = shipped.split(separator: "\n", omittingEmptySubsequences: false).count + lineAfterShipped
        let check = try runDaemonCommand(["--check-policy", path])
        #expect(check.status == 1)
        #expect(check.output.contains("\(path):\(line): \(message)"), "\(check.output)")
        #expect(try runDaemonCommand(daemon.arguments).status == 78)
    }

    @Test("A weight of 1e308 is refused by reload; the policy in force keeps serving")
    func hugeWeightRefused() throws {
        let daemon = try Daemon()
        let shipped = try Daemon.shippedPolicyText()
        let file = try daemon.usePolicy(shipped)
        try daemon.start()
        let huge = shipped.replacingOccurrences(of: "  verbal:\n    weight: 1\n", with: "  verbal:\n    weight: 1e308\n")
        #expect(huge != shipped)
        try huge.write(to: file, atomically: true, encoding: .utf8)
        let reload = try daemon.request(["type": "reload"])
        #expect(reload.errorCode == "bad_request")
        let errors = (reload["error"] as? [String: Any])?["errors"] as? [String] ?? []
        #expect(errors.contains { $0.contains("categories.verbal.weight: must be from 0 to 1000, not 1e308") }, "\(errors)")
        let abuse = try daemon.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal"])
        #expect(abuse.standing["score"] as? NSNumber == 1)
    }
}
