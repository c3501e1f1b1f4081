#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import CallwardenSystemd

extension ProcessEnvironmentTests {
    /// The positive path (systemd passing fd 3) needs a fresh process and is covered by
    /// scripts/systemd-harness; taking over fd 3 inside the test runner could break other tests.
    @Suite("Listen FDs")
    struct ListenFDsTests {
        @Test func notSocketActivated_isEmpty() throws {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            #expect(ListenFDs.inherited().isEmpty)
            #expect(try ListenFDs.listener() == nil)
        }

        @Test func socketsForAnotherProcess_areIgnored_andTheEnvironmentCleared() {
            setenv("LISTEN_PID", "\(getpid() + 1)", 1)
            setenv("LISTEN_FDS", "1", 1)
            #expect(ListenFDs.inherited().isEmpty)
            #expect(getenv("LISTEN_PID") == nil)
            #expect(getenv("LISTEN_FDS") == nil)
        }

        @Test func malformedCount_isEmpty() {
            setenv("LISTEN_PID", "\(getpid())", 1)
            setenv("LISTEN_FDS", "lots", 1)
            #expect(ListenFDs.inherited().isEmpty)
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
        }
    }

    @Suite("Socket check")
    struct SocketCheckTests {
        private func unixSocket(_ type: __socket_type, listening: Bool) throws -> (fd: Int32, path: String) {
            let fd = socket(AF_UNIX, Int32(type.rawValue), 0)
            guard fd >= 0 else { throw SystemError("socket", errno) }
            let path = "/tmp/callwarden-check-\(getpid())-\(fd).sock"
            unlink(path)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw SystemError("bind", errno) }
            if listening, listen(fd, 8) != 0 { throw SystemError("listen", errno) }
            return (fd, path)
        }

        @Test func listeningUnixStreamSocket_isAccepted() throws {
            let socket = try unixSocket(SOCK_STREAM, listening: true)
            defer { close(socket.fd); unlink(socket.path) }
            #expect(ListenFDs.isListeningUnixStreamSocket(socket.fd))
            #expect(throws: Never.self) { try ListenFDs.requireListeningUnixStreamSocket(socket.fd) }
        }

        @Test func boundButNotListening_isRefused() throws {
            let socket = try unixSocket(SOCK_STREAM, listening: false)
            defer { close(socket.fd); unlink(socket.path) }
            #expect(!ListenFDs.isListeningUnixStreamSocket(socket.fd))
        }

        @Test func datagramSocket_isRefused_withAClearError() throws {
            let socket = try unixSocket(SOCK_DGRAM, listening: false)
            defer { close(socket.fd); unlink(socket.path) }
            let error = #expect(throws: ListenFDsError.self) {
                try ListenFDs.requireListeningUnixStreamSocket(socket.fd)
            }
            #expect(error == .notAListeningUnixStreamSocket(fd: socket.fd))
            #expect(error?.description.contains("ListenStream=") == true)
        }

        @Test func pipe_isRefused() {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            defer { close(fds[0]); close(fds[1]) }
            #expect(!ListenFDs.isListeningUnixStreamSocket(fds[0]))
        }

        @Test func tooManySockets_isExplained() {
            #expect(ListenFDsError.unexpectedCount(2).description.contains("exactly one ListenStream="))
        }
    }
}
