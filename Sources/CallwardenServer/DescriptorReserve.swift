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
    private struct State {
        var descriptor: Int32?
        /// Given up because an accept failed for want of descriptors, and not yet taken back.
        var spent = false
    }

    private let state = Locked(State())

    init() {
        reacquire()
    }

    deinit {
        if let fd = state.withLock({ $0.descriptor }) { close(fd) }
    }

    /// The reserve was given up for a failed accept: new connections are refused until it is
    /// back. (A reserve that could never be taken is not spent: without one, the daemon serves
    /// as it would have without this type.)
    var isSpent: Bool { state.withLock { $0.spent } }

    /// Frees the reserved descriptor; false if there was none to free.
    @discardableResult
    func spend() -> Bool {
        state.withLock { state in
            guard let held = state.descriptor else { return false }
            close(held)
            state.descriptor = nil
            state.spent = true
            return true
        }
    }

    /// Takes a descriptor back into reserve, if one is free now: the root directory, which every
    /// sandbox leaves (a device such as /dev/null may be hidden or refused by it).
    func reacquire() {
        state.withLock { state in
            guard state.descriptor == nil else { return }
            let opened = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if opened >= 0 {
                state.descriptor = opened
                state.spent = false
            }
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
