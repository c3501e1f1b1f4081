import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sockets passed in by systemd socket activation (`LISTEN_FDS`, `sd_listen_fds(3)`).
public enum ListenFDs {
    /// The descriptors systemd passed to this process, starting at 3; empty when the process was
    /// not socket-activated.
    ///
    /// libsystemd checks `LISTEN_PID` against this process, sets `FD_CLOEXEC` on each descriptor so
    /// the alert command (a child process) does not inherit the listening socket, and unsets the
    /// variables: a second call returns an empty array. A malformed `LISTEN_FDS` counts as none.
    public static func inherited() -> [Int32] {
        let count = sd_listen_fds(1)
        guard count > 0 else { return [] }
        return (0..<count).map { SD_LISTEN_FDS_START + $0 }
    }

    /// The one listening socket the daemon was started with, or `nil` when it was not
    /// socket-activated and should bind its own.
    ///
    /// - Throws: ``ListenFDsError`` when systemd passed more than one descriptor or one that is not
    ///   a listening Unix stream socket (a `callwarden.socket` edited to `ListenDatagram=` or a TCP
    ///   port, say). Refusing is better than serving nothing while systemd believes all is well.
    public static func listener() throws(ListenFDsError) -> Int32? {
        let fds = inherited()
        guard let fd = fds.first else { return nil }
        guard fds.count == 1 else {
            throw .unexpectedCount(fds.count)
        }
        try requireListeningUnixStreamSocket(fd)
        return fd
    }

    /// Whether `fd` is a listening `AF_UNIX` `SOCK_STREAM` socket (`sd_is_socket_unix(3)`).
    public static func isListeningUnixStreamSocket(_ fd: Int32) -> Bool {
        sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0
    }

    /// Throws ``ListenFDsError/notAListeningUnixStreamSocket(fd:)`` unless `fd` is a listening Unix
    /// stream socket.
    public static func requireListeningUnixStreamSocket(_ fd: Int32) throws(ListenFDsError) {
        guard isListeningUnixStreamSocket(fd) else {
            throw .notAListeningUnixStreamSocket(fd: fd)
        }
    }
}
