import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Temporary directories and child processes of the run, removed and killed however the run ends:
/// normally, on an error, or on Ctrl-C / SIGTERM.
enum Scratch {
    private static let registry = Registry()

    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var directories: [String] = []
        var children: [Int32] = []
        var signalSources: [any DispatchSourceSignal] = []
    }

    /// A new private directory under the system's temporary directory (short: socket paths are
    /// limited to 107 bytes).
    static func makeDirectory(_ prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw UnixSocket.Failure(description: "mkdtemp: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        registry.lock.withLock { registry.directories.append(path) }
        return path
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        registry.lock.withLock { registry.directories.removeAll { $0 == path } }
    }

    static func adopt(child pid: Int32) {
        registry.lock.withLock { registry.children.append(pid) }
    }

    static func release(child pid: Int32) {
        registry.lock.withLock { registry.children.removeAll { $0 == pid } }
    }

    /// Kills what is left and removes every directory. Safe to call more than once.
    static func cleanUp() {
        let (children, directories) = registry.lock.withLock { () -> ([Int32], [String]) in
            defer { registry.children = []; registry.directories = [] }
            return (registry.children, registry.directories)
        }
        for pid in children {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// On SIGINT or SIGTERM: clean up, then exit with 128 + the signal.
    static func cleanUpOnSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\ncallwarden-bench: interrupted; cleaning up\n".utf8))
                cleanUp()
                exit(128 + number)
            }
            source.resume()
            registry.lock.withLock { registry.signalSources.append(source) }
        }
    }
}
