import CLinuxShims
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a connection, as the kernel says: its pid, uid and primary gid
/// (`SO_PEERCRED`) and its supplementary groups (`SO_PEERGROUPS`), all taken when it connected.
/// None of it can be forged by the client.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// The peer process's supplementary groups when it connected; nil if the kernel would not say
    /// (then only the uid and the primary group count).
    public var groups: Set<UInt32>?

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: Set<UInt32>? = []) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    public var description: String { "uid \(uid) gid \(gid) pid \(pid)" }

    /// Every group the peer process had: its primary group and its supplementary ones.
    public var allGroups: Set<UInt32> { (groups ?? []).union([gid]) }

    /// Reads the peer's credentials from an accepted Unix-socket channel. NIO has no API for this;
    /// its raw socket-option call works with same-layout structs from the C shim. Nil if the
    /// kernel will not say (not a Unix socket): such a peer gets the least role.
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let credentials: EventLoopFuture<callwarden_ucred> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return credentials.flatMap { credentials in
            PeerGroups.of(provider, eventLoop: channel.eventLoop).map { groups in
                PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, groups: groups)
            }
        }.recover { _ in nil }
    }
}

extension callwarden_ucred: @retroactive @unchecked Sendable {}
