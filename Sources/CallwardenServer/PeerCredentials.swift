import CLinuxShims
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a connection, as the kernel says (`SO_PEERCRED`): it cannot be
/// forged by the client.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "uid \(uid) gid \(gid) pid \(pid)" }

    /// Reads the peer's credentials from an accepted Unix-socket channel. NIO has no API for this;
    /// its raw socket-option call works with a same-layout struct from the C shim.
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<callwarden_ucred> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }.recover { _ in nil }
    }
}

extension callwarden_ucred: @retroactive @unchecked Sendable {}
