#if canImport(Glibc)
import Glibc
#endif

/// Where a cluster's shared record lives: a PostgreSQL database, named by a URL like libpq's.
///
/// - `postgres://USER@HOST:PORT/DB`: over TCP. TLS is not used, so the server must be on
///   loopback or a private network the operator trusts (say so in docs/cluster.md).
/// - `postgres://USER@/DB?host=/run/postgresql&port=5432`: over the Unix socket in that
///   directory (`DIR/.s.PGSQL.PORT`), as libpq names it.
///
/// `postgresql://` is accepted too. The port defaults to 5432. A password in the URL is refused:
/// the URL is given on the command line, where every user of the machine can read it; the
/// password comes from a file or the environment instead. Nothing else libpq accepts in a query
/// (`sslmode`, ...) is accepted here, so that no setting is silently ignored.
public struct SharedRecordAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        /// A host name or address (an IPv6 address without its brackets) and a port.
        case tcp(host: String, port: Int)
        /// The directory holding the server's socket, and the port that names the socket.
        case unixSocket(directory: String, port: Int)
    }

    public var endpoint: Endpoint
    /// The PostgreSQL role callwarden logs in as.
    public var user: String
    /// The database holding the shared record.
    public var database: String

    public static let defaultPort = 5432

    public static let examples = "postgres://callwarden@db.example:5432/callwarden or postgres://callwarden@/callwarden?host=/run/postgresql"

    /// The socket file for a Unix-socket address: `DIR/.s.PGSQL.PORT`, as the server names it.
    public var socketPath: String? {
        guard case .unixSocket(let directory, let port) = endpoint else { return nil }
        return Self.socketPath(directory: directory, port: port)
    }

    static func socketPath(directory: String, port: Int) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + ".s.PGSQL.\(port)"
    }

    /// The longest Unix socket path `sockaddr_un` holds.
    static var maximumSocketPathLength: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// The address with every part percent-encoded where needed; never a password (the address
    /// has none).
    public var description: String {
        let who = Self.encoded(user) + "@"
        let db = "/" + Self.encoded(database)
        switch endpoint {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "postgres://\(who)\(shown):\(port)\(db)"
        case .unixSocket(let directory, let port):
            return "postgres://\(who)\(db)?host=\(Self.encoded(directory, keeping: "/"))&port=\(port)"
        }
    }

    public init(endpoint: Endpoint, user: String, database: String) {
        self.endpoint = endpoint
        self.user = user
        self.database = database
    }

    public static func parse(_ text: String) throws(SharedRecordAddressError) -> SharedRecordAddress {
        var rest = Substring(text)
        guard let scheme = ["postgres://", "postgresql://"].first(where: { rest.hasPrefix($0) }) else {
            throw SharedRecordAddressError("the shared record's address must begin postgres:// (\(examples))")
        }
        rest = rest.dropFirst(scheme.count)
        // Checked before anything is split, decoded or repeated, so that a password holding '/',
        // '?', '#' or '@' is still recognised and never reaches a message.
        if let at = rest.lastIndex(of: "@"), rest[..<at].contains(":") {
            throw SharedRecordAddressError("the shared record's address holds a password, which would be readable on the command line by every user of the machine: remove it and give it with --store-password-file or CALLWARDEN_STORE_PASSWORD")
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw SharedRecordAddressError("the shared record's address names no database: expected postgres://USER@HOST:PORT/DB (\(examples))")
        }
        let authority = rest[..<slash]
        let databaseText = rest[rest.index(after: slash)...]

        guard let at = authority.lastIndex(of: "@") else {
            throw SharedRecordAddressError("the shared record's address names no user: expected postgres://USER@HOST:PORT/DB (\(examples))")
        }
        let user = try decoded(authority[..<at], "user")
        guard !user.isEmpty else { throw SharedRecordAddressError("the shared record's address names no user before '@' (\(examples))") }
        let database = try decoded(databaseText, "database")
        guard !database.isEmpty else { throw SharedRecordAddressError("the shared record's address names no database after '/' (\(examples))") }

        let parameters = try Self.parameters(query)
        let port = try parameters["port"].map { value throws(SharedRecordAddressError) in try Self.port(value) }
        let hostPart = authority[authority.index(after: at)...]

        if let directory = parameters["host"] {
            guard hostPart.isEmpty else {
                throw SharedRecordAddressError("the shared record's address names both a host (\(hostPart)) and a socket directory (host=\(directory)): give one")
            }
            guard directory.hasPrefix("/") else {
                throw SharedRecordAddressError("the socket directory host=\(directory) must be an absolute path, like host=/run/postgresql")
            }
            let port = port ?? defaultPort
            let path = socketPath(directory: directory, port: port)
            guard path.utf8.count <= maximumSocketPathLength else {
                throw SharedRecordAddressError("the socket \(path) is longer than \(maximumSocketPathLength) bytes, the most a Unix socket's name may be")
            }
            return SharedRecordAddress(endpoint: .unixSocket(directory: directory, port: port), user: user, database: database)
        }

        let (host, portInHost) = try Self.hostAndPort(hostPart)
        if portInHost != nil, port != nil {
            throw SharedRecordAddressError("the shared record's address gives its port twice (after the host and as port=)")
        }
        return SharedRecordAddress(endpoint: .tcp(host: host, port: portInHost ?? port ?? defaultPort), user: user, database: database)
    }

    /// `HOST`, `HOST:PORT`, `[IPv6]` or `[IPv6]:PORT`.
    private static func hostAndPort(_ text: Substring) throws(SharedRecordAddressError) -> (String, Int?) {
        guard !text.isEmpty else {
            throw SharedRecordAddressError("the shared record's address names no host: give HOST:PORT after '@', or a socket directory as ?host=/run/postgresql (\(examples))")
        }
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw SharedRecordAddressError("the shared record's host \(text) opens '[' without closing it")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw SharedRecordAddressError("the shared record's host \(text): expected [ADDRESS]:PORT") }
                portText = after.dropFirst()
            }
            guard isIPv6(String(host)) else { throw SharedRecordAddressError("the shared record's host [\(host)] is not an IPv6 address") }
        } else {
            host = text
            if let colon = text.lastIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, host.utf8.allSatisfy(isHostByte) else {
                throw SharedRecordAddressError("the shared record's host '\(host)' is not a host name or address")
            }
        }
        return (String(host), try portText.map { value throws(SharedRecordAddressError) in try port(value) })
    }

    /// Letters, digits, '-', '.' and '_': the bytes of a host name or an IPv4 address.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x2E || byte == 0x5F
    }

    private static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// Digits only, at most five, checked before conversion: no sign, no overflow.
    private static func port<S: StringProtocol>(_ text: S) throws(SharedRecordAddressError) -> Int {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let port = Int(text), (1...65_535).contains(port) else {
            throw SharedRecordAddressError("the shared record's port '\(text.prefix(20))' is not a number from 1 to 65535")
        }
        return port
    }

    /// `host` and `port` only, each at most once.
    private static func parameters(_ query: Substring) throws(SharedRecordAddressError) -> [String: String] {
        var found: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decoded(parts[0], "parameter")
            let value = parts.count > 1 ? try decoded(parts[1], name) : ""
            guard name == "host" || name == "port" else {
                let why = name.hasPrefix("ssl") ? ": callwarden does not use TLS to PostgreSQL; use a Unix socket, loopback or a private network" : ""
                throw SharedRecordAddressError("the shared record's address sets '\(name.prefix(40))', which callwarden does not take (only host= and port=)\(why)")
            }
            guard found[name] == nil else { throw SharedRecordAddressError("the shared record's address sets \(name)= twice") }
            found[name] = value
        }
        return found
    }

    /// Percent-decoding, as in any URL. A decoded value must be UTF-8 and free of control
    /// characters: it is sent to the server and shown in messages.
    static func decoded(_ text: Substring, _ what: String) throws(SharedRecordAddressError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == 0x25 else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw SharedRecordAddressError("the shared record's \(what) holds a '%' not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        guard let value = String(validating: bytes, as: UTF8.self) else {
            throw SharedRecordAddressError("the shared record's \(what) is not UTF-8 once decoded")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw SharedRecordAddressError("the shared record's \(what) holds a control character")
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Percent-encodes everything but unreserved characters (and those in `keeping`).
    static func encoded(_ text: String, keeping: String = "") -> String {
        let kept = Set(keeping.utf8)
        var result = ""
        for byte in text.utf8 {
            if (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || [0x2D, 0x2E, 0x5F, 0x7E].contains(byte) || kept.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}
