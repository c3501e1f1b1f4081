#if canImport(Glibc)
import Glibc
#endif

/// Where the metrics endpoint listens (`callwardend --metrics ADDRESS`): a loopback TCP address,
/// `127.0.0.1:9464` (any of 127.0.0.0/8) or `[::1]:9464`, or a Unix socket, `unix:/path`.
///
/// Only loopback: the endpoint has no authentication and tells how many incidents of each kind a
/// contact centre records, which is nobody's business off the machine. Host names are refused
/// rather than looked up (`localhost` can resolve to anything `/etc/hosts` says).
public enum MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    /// A loopback IPv4 or IPv6 address, as written (without brackets), and a port.
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// What `--metrics` was given that cannot be served, said for the operator.
    public struct Refused: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static let example = "127.0.0.1:9464, [::1]:9464 or unix:/run/callwarden-metrics/metrics.sock"

    /// The longest Unix socket path `sockaddr_un` holds.
    static var maximumPathLength: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    public static func parse(_ text: String) throws(Refused) -> MetricsAddress {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard path.hasPrefix("/") else {
                throw Refused(description: "--metrics \(text): a Unix socket is named by an absolute path, like unix:/run/callwarden-metrics/metrics.sock")
            }
            guard path.utf8.count <= maximumPathLength else {
                throw Refused(description: "--metrics \(text): the socket path is longer than \(maximumPathLength) bytes")
            }
            guard !path.utf8.contains(0) else { throw Refused(description: "--metrics: the socket path holds a NUL byte") }
            return .unix(path: path)
        }
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw Refused(description: "--metrics \(text): an IPv6 address is written [::1]:PORT")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw Refused(description: "--metrics \(text): expected ADDRESS:PORT or unix:/path (\(example))")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        // Digits only, at most five, checked before conversion: no sign, no overflow.
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), (1...65_535).contains(port) else {
            throw Refused(description: "--metrics \(text): the port must be a number from 1 to 65535")
        }
        guard isLoopback(host) else {
            let what = host.isEmpty ? "no address" : isAddress(host) ? "'\(host)' is not a loopback address" : "'\(host)' is a name, not a loopback address (names are not looked up)"
            throw Refused(description: "--metrics \(text): \(what); metrics are served on loopback only (\(example)), since the endpoint has no authentication: to scrape from another machine, put an authenticating proxy in front of it")
        }
        return .tcp(host: host, port: port)
    }

    /// A literal loopback address: IPv4 127.0.0.0/8 or IPv6 ::1. Names are not looked up.
    static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            // s_addr is in network order: its first byte in memory is the first octet.
            return withUnsafeBytes(of: &v4) { $0[0] } == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
        }
        return false
    }

    /// Whether `host` is an IPv4 or IPv6 address at all (rather than a name).
    static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
