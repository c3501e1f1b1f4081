#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import CallwardenSystemd

extension ProcessEnvironmentTests {
    @Suite("Journal detection")
    struct JournalDetectionTests {
        private func deviceAndInode(of fd: Int32) -> (device: UInt64, inode: UInt64) {
            var status = stat()
            precondition(fstat(fd, &status) == 0)
            return (UInt64(status.st_dev), UInt64(status.st_ino))
        }

        @Test func journalStreamNamingStderr_isTheJournal() {
            let stderr = deviceAndInode(of: STDERR_FILENO)
            setenv("JOURNAL_STREAM", "\(stderr.device):\(stderr.inode)", 1)
            defer { unsetenv("JOURNAL_STREAM") }
            #expect(JournalDetection.isStderrConnectedToJournal())
        }

        @Test func journalStreamNamingAnotherFile_isNot() {
            // What a child sees when it inherited JOURNAL_STREAM but its stderr was redirected.
            let stderr = deviceAndInode(of: STDERR_FILENO)
            setenv("JOURNAL_STREAM", "\(stderr.device):\(stderr.inode &+ 1)", 1)
            defer { unsetenv("JOURNAL_STREAM") }
            #expect(!JournalDetection.isStderrConnectedToJournal())
        }

        @Test(arguments: ["", "12", "a:b", "1:2:3", ":5", "-1:4"])
        func malformedJournalStream_isNot(value: String) {
            setenv("JOURNAL_STREAM", value, 1)
            defer { unsetenv("JOURNAL_STREAM") }
            #expect(!JournalDetection.isStderrConnectedToJournal())
        }

        @Test func noJournalStream_isNot() {
            unsetenv("JOURNAL_STREAM")
            #expect(!JournalDetection.isStderrConnectedToJournal())
        }

        @Test func matches_comparesWithTheGivenDescriptor() throws {
            var pipeFDs: [Int32] = [0, 0]
            #expect(pipe(&pipeFDs) == 0)
            defer { close(pipeFDs[0]); close(pipeFDs[1]) }
            let ends = deviceAndInode(of: pipeFDs[1])
            #expect(JournalDetection.matches(journalStream: "\(ends.device):\(ends.inode)", fd: pipeFDs[1]))
            #expect(!JournalDetection.matches(journalStream: "\(ends.device):\(ends.inode)", fd: STDERR_FILENO) || deviceAndInode(of: STDERR_FILENO) == ends)
        }
    }

    @Suite("Logging destination")
    struct LoggingDestinationTests {
        @Test(arguments: [(false, false, LoggingSetup.Destination.standardError), (true, false, .journal), (false, true, .journal), (true, true, .journal)])
        func destination(forceJournal: Bool, stderrIsJournal: Bool, expected: LoggingSetup.Destination) {
            #expect(LoggingSetup.destination(forceJournal: forceJournal, stderrIsJournal: stderrIsJournal) == expected)
        }
    }
}
