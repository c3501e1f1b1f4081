import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A record edited by hand with sqlite3 into values callwarden could not have written: the real
/// daemon refuses to start on it with exit status 73 and a message naming the file, and never
/// traps. An export edited into absurd numbers is refused by `callwardenctl verify --file`.
@Suite("A damaged record, end to end", .enabled(if: Command.find("sqlite3") != nil, "sqlite3 is not installed"))
struct DamagedRecordEndToEndTests {
    /// Lifts the schema's NOT NULL constraints, as a determined editor can (a separate sqlite3
    /// run: the edited schema is read by the next connection).
    static let lifting = """
        PRAGMA writable_schema = ON;
        UPDATE sqlite_schema SET sql = replace(replace(sql, 'INTEGER NOT NULL', 'INTEGER'), 'TEXT NOT NULL', 'TEXT') WHERE name IN ('entries', 'chain_head');
        PRAGMA writable_schema = OFF;
        """

    /// Waits for the daemon to exit by itself, with a generous deadline only as a guard against a
    /// daemon that went on running (then it is killed and nil returned).
    static func exitStatus(_ daemon: Daemon, deadline seconds: Double = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while daemon.process?.isRunning == true, Date() < deadline { usleep(20_000) }
        if daemon.process?.isRunning == true {
            daemon.killHard()
            return nil
        }
        return daemon.waitForExit()
    }

    @Test("The daemon refuses a record with impossible values: exit 73, naming the file", arguments: [
        ("UPDATE chain_head SET last_id = -1;", false, "last_id holds -1"),
        ("UPDATE chain_head SET last_id = 9223372036854775807;", false, "last_id holds 9223372036854775807"),
        ("UPDATE chain_head SET last_id = 'many';", false, "last_id holds the text 'many'"),
        ("UPDATE chain_head SET last_id = NULL;", true, "last_id is NULL"),
        ("UPDATE chain_head SET last_hash = 'abc';", false, "last_hash holds 'abc'"),
        ("UPDATE entries SET at_us = 99999999999999999999 WHERE id = 2;", false, "entry 2: at_us holds the real number"),
        ("UPDATE entries SET at_us = 9223372036854775807 WHERE id = 2;", false, "entry 2: at_us holds 9223372036854775807"),
        ("UPDATE entries SET at_us = 'soon' WHERE id = 2;", false, "entry 2: at_us holds the text 'soon'"),
        ("UPDATE entries SET at_us = NULL WHERE id = 3;", true, "entry 3: at_us is NULL"),
        ("UPDATE entries SET ref = 9223372036854775807 WHERE id = 4;", false, "entry 4: ref holds 9223372036854775807"),
        ("PRAGMA ignore_check_constraints = ON; UPDATE entries SET hash = 'forged' WHERE id = 1;", false, "entry 1: hash holds 'forged'"),
        ("UPDATE entries SET id = -3 WHERE id = 1;", false, "id holds -3"),
        ("UPDATE entries SET id = 9223372036854775807 WHERE id = 5;", false, "holds entry 9223372036854775807, past the entry chain_head names"),
    ])
    func refusedAtStart(sql: String, unchecked: Bool, expected: String) throws {
        let daemon = try Daemon().start()
        try RecordEndToEndTests.fill(daemon)
        #expect(daemon.stop() == 0)
        let path = daemon.stateDirectory + "/callwarden.sqlite"
        for script in unchecked ? [Self.lifting, sql] : [sql] {
            let edit = try Command.run(Command.find("sqlite3")!, [path, script])
            #expect(edit.status == 0, "\(edit.stderr)")
        }

        try daemon.launch()
        let status = Self.exitStatus(daemon)
        #expect(status == 73, "\(daemon.log)")
        #expect(daemon.log.contains("the record \(path) is damaged"), "\(daemon.log)")
        #expect(daemon.log.contains(expected), "\(daemon.log)")
    }

    @Test("callwardenctl verify --file refuses an export edited into absurd numbers, or names the entry; it never traps", arguments: [
        ("{\"id\":2,", "{\"id\":-9223372036854775808,", Int32(65), "is not a valid export: an entry's id (-9223372036854775808)"),
        ("{\"id\":2,", "{\"id\":9223372036854775807,", 65, "is not a valid export: an entry's id (9223372036854775807)"),
        ("{\"id\":2,", "{\"id\":1e400,", 65, "is not a valid export: an entry's id (1e400)"),
        ("\"version\":1,", "\"version\":1e999,", 65, "is not a valid export: an export of version 1e999"),
        ("\"ref\":2,", "\"ref\":-99999999999999999999999,", 1, "entry 4 (changed)"),
        ("\"ref\":2,", "\"ref\":1e400,", 1, "entry 4 (changed)"),
    ])
    func absurdExport(original: String, replacement: String, status: Int32, message: String) throws {
        let daemon = try Daemon().start()
        try RecordEndToEndTests.fill(daemon)
        let file = daemon.directory.appendingPathComponent("export.json").path
        #expect(try Command.ctl(daemon, ["export", "-o", file]).status == 0)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let edited = text.replacingOccurrences(of: original, with: replacement)
        #expect(edited != text)
        let path = daemon.directory.appendingPathComponent("edited.json").path
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Command.run(Command.callwardenctl, ["verify", "--file", path])
        #expect(result.status == status, "\(result.stdout)\(result.stderr)")
        #expect((result.stdout + result.stderr).contains(message), "\(result.stdout)\(result.stderr)")
    }

    @Test("The daemon refuses a record whose pages were overwritten: exit 73, naming the file")
    func overwrittenPages() throws {
        let daemon = try Daemon().start()
        try RecordEndToEndTests.fill(daemon)
        #expect(daemon.stop() == 0)
        let path = daemon.stateDirectory + "/callwarden.sqlite"
        // Into the main file: the entries are in the write-ahead log until a checkpoint.
        #expect(try Command.run(Command.find("sqlite3")!, [path, "PRAGMA wal_checkpoint(TRUNCATE);"]).status == 0)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        #expect(size > 8192)
        // Every page after the first (the header and schema) filled with noise.
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data((0..<Int(size) - 4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }))
        try handle.close()

        try daemon.launch()
        #expect(Self.exitStatus(daemon) == 73, "\(daemon.log)")
        #expect(daemon.log.contains("the record \(path) is damaged"), "\(daemon.log)")
    }
}
