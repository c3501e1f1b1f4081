import CLinuxShims
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The supplementary groups of the process at the other end of a Unix socket, as it had them when
/// it connected (`SO_PEERGROUPS`, Linux 4.13). Roles come from these rather than from the group
/// database: a process that dropped a group has lost it, and the database is never consulted on the
/// event loop.
enum PeerGroups {
    /// Beyond this many groups only the peer's uid and primary group count (the least privilege).
    static let maximumCount = 1024

    /// The peer's supplementary groups; nil if the kernel would not give them (more than
    /// `maximumCount`, or not a Unix socket).
    static func of(_ provider: any SocketOptionProvider, eventLoop: any EventLoop) -> EventLoopFuture<Set<UInt32>?> {
        read(callwarden_peer_groups_64.self, from: provider)
            .flatMapError { error in
                // ERANGE: the peer has more groups than the buffer holds; ask again with a larger one.
                guard isBufferTooSmall(error) else { return eventLoop.makeFailedFuture(error) }
                return read(callwarden_peer_groups_1024.self, from: provider)
            }
            .flatMap { gids -> EventLoopFuture<Set<UInt32>?> in
                switch interpret(gids) {
                case .groups(let groups):
                    return eventLoop.makeSucceededFuture(groups)
                case .noneOrOnlyZero:
                    // An empty buffer is big enough only for a peer with no groups at all.
                    let probe: EventLoopFuture<NoGroups> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(CALLWARDEN_SO_PEERGROUPS))
                    return probe.map { _ in Set<UInt32>() }.flatMapError { error in
                        isBufferTooSmall(error) ? eventLoop.makeSucceededFuture([0]) : eventLoop.makeFailedFuture(error)
                    }
                }
            }
            .recover { _ in nil }
    }

    enum Reading: Equatable {
        case groups(Set<UInt32>)
        /// Every slot is zero: the peer has no groups, or only group 0; the buffer cannot tell.
        case noneOrOnlyZero
    }

    /// The groups in a buffer the kernel filled from its start, after NIO zeroed all of it (its
    /// socket-option call does so, and does not return the length the kernel wrote). The kernel
    /// keeps a process's groups sorted, so gid 0 can only come first: a zero before a non-zero gid
    /// is group 0, zeros after the last non-zero gid are the unused rest of the buffer. A real
    /// group 0 could only be mistaken for padding in a user namespace whose mapping reorders gids,
    /// and then it is left out: a role is withheld, never granted.
    static func interpret(_ gids: [UInt32]) -> Reading {
        guard let last = gids.lastIndex(where: { $0 != 0 }) else { return .noneOrOnlyZero }
        return .groups(Set(gids[...last]))
    }

    private static func read<Buffer: Sendable>(_ type: Buffer.Type, from provider: any SocketOptionProvider) -> EventLoopFuture<[UInt32]> {
        let value: EventLoopFuture<Buffer> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(CALLWARDEN_SO_PEERGROUPS))
        return value.map { buffer in
            withUnsafeBytes(of: buffer) { bytes in
                (0..<bytes.count / MemoryLayout<UInt32>.size).map { bytes.load(fromByteOffset: $0 * MemoryLayout<UInt32>.size, as: UInt32.self) }
            }
        }
    }

    private static func isBufferTooSmall(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == ERANGE
    }

    /// A zero-length buffer.
    private struct NoGroups: Sendable {}
}

extension callwarden_peer_groups_64: @retroactive @unchecked Sendable {}
extension callwarden_peer_groups_1024: @retroactive @unchecked Sendable {}
