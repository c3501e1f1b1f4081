import CallwardenLocking
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// One file descriptor kept in reserve for when the process runs out (EMFILE, ENFILE).
///
/// Out of descriptors, `accept` fails and leaves the connection in the listen queue, so the socket
/// stays readable. NIO's `AcceptBackoffHandler` (which `ServerBootstrap` installs) delays the next
/// read it is asked for, but NIO keeps the listening socket registered until an accept succeeds,
/// so the event loop would spin on the failing accept at full speed. Closing the reserve lets the
/// next accept succeed: that client is told the daemon is out of descriptors and closed, the
/// descriptor comes back to the reserve, and the back-off then spaces out the following attempts.
final class DescriptorReserve: Sendable {
    private let descriptor = Locked<Int32?>(nil)

    init() {
        reacquire()
    }

    deinit {
        if let fd = descriptor.withLock({ $0 }) { close(fd) }
    }

    /// The reserve has been spent: new connections are refused until it is back.
    var isSpent: Bool { descriptor.withLock { $0 == nil } }

    /// Frees the reserved descriptor; false if it was already spent.
    @discardableResult
    func spend() -> Bool {
        descriptor.withLock { fd in
            guard let held = fd else { return false }
            close(held)
            fd = nil
            return true
        }
    }

    /// Takes a descriptor back into reserve, if one is free now.
    func reacquire() {
        descriptor.withLock { fd in
            guard fd == nil else { return }
            let opened = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if opened >= 0 { fd = opened }
        }
    }
}

/// On the listening channel: notices accepts that fail for want of descriptors, spends the reserve
/// and says so in the journal (at warning at most once a minute, at debug each time).
final class AcceptFailureHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel

    private let reserve: DescriptorReserve
    private let logger: Logger
    private var lastWarning: NIODeadline?

    init(reserve: DescriptorReserve, logger: Logger) {
        self.reserve = reserve
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.errnoCode == EMFILE || error.errnoCode == ENFILE {
            reserve.spend()
            let which = error.errnoCode == EMFILE ? "this process's limit (EMFILE)" : "the system's limit (ENFILE)"
            logger.debug("Accept failed: out of file descriptors, \(which)")
            let now = NIODeadline.now()
            if lastWarning.map({ now - $0 >= .minutes(1) }) ?? true {
                lastWarning = now
                logger.warning("Out of file descriptors (\(which)): new connections are refused until others close; raise LimitNOFILE= or lower --max-connections")
            }
        }
        // The back-off handler after this one delays the next accept.
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension AcceptFailureHandler: Sendable {}
