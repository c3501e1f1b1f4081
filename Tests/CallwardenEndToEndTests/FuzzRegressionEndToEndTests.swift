import Foundation
import Testing

/// Inputs the fuzzers (Tests/Fuzz) found that crashed callwarden, kept so that they never do again.
@Suite("Fuzzer findings, end to end")
struct FuzzRegressionEndToEndTests {
    /// An export whose one entry is a purge describing a run that starts before any entry (first
    /// -5, last 1) and follows a hash the chain does not have. fuzz-export found that the verifier
    /// then formed the range of missing ids backwards (1..<-5) and trapped.
    static let earlyRun = #"""
        {"format":"callwarden-export","version":1,"chain":"complete","entries":[
        {"id":3,"recorded_at_us":1,"type":"purge","at_us":1,"caller":null,"call":null,"kind":null,"agent":null,"supervisor":null,
        "note":"{\"purged\":[],\"reason\":\"r\",\"runs\":[{\"first\":-5,\"last\":1,\"last_hash\":\"x\",\"prev_hash\":\"bad\"}]}",
        "ref":null,"rule":null,"by":null,"outcome":null,"prev_hash":null,"hash":"h"}],"head":null}
        """#

    @Test("verify --file on an export with a purge run reaching before the chain says what is wrong instead of crashing", arguments: [
        earlyRun,
        earlyRun.replacingOccurrences(of: #"\"first\":-5"#, with: #"\"first\":-9223372036854775808"#),
        earlyRun.replacingOccurrences(of: #"\"last\":1,"#, with: #"\"last\":9223372036854775807,"#),
    ])
    func purgeRunBeforeStart(_ export: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-fuzz-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("export.json").path
        try export.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try Command.run(Command.callwardenctl, ["verify", "--file", file])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("entry 3"), "\(result.stdout)\(result.stderr)")
    }

    /// The raw input fuzz-export saved (a mutated export of a record with two purges).
    @Test("The export fuzz-export crashed the verifier with is judged, not crashed on")
    func savedInput() throws {
        let file = Daemon.packageRoot.appendingPathComponent("Tests/Fuzz/Regressions/fuzz-export/purge-run-before-survivor.json").path
        let result = try Command.run(Command.callwardenctl, ["verify", "--file", file])
        #expect(result.status == 1 || result.status == 65, "\(result.stdout)\(result.stderr)")
    }
}
