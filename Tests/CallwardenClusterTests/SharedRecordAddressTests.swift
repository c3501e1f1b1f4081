import CallwardenCluster
import Testing

@Suite("The shared record's address")
struct SharedRecordAddressTests {
    @Test("A TCP address gives its user, host, port and database", arguments: [
        ("postgres://callwarden@db.example:6543/evidence", "db.example", 6543, "callwarden", "evidence"),
        ("postgresql://callwarden@10.0.0.7/callwarden", "10.0.0.7", 5432, "callwarden", "callwarden"),
        ("postgres://cw@[fd00::7]:5433/record", "fd00::7", 5433, "cw", "record"),
        ("postgres://cw@db/record?port=6000", "db", 6000, "cw", "record"),
        ("postgres://call%20warden@db/my%2Drecord", "db", 5432, "call warden", "my-record"),
    ])
    func tcp(text: String, host: String, port: Int, user: String, database: String) throws {
        let address = try SharedRecordAddress.parse(text)
        #expect(address.endpoint == .tcp(host: host, port: port))
        #expect(address.user == user)
        #expect(address.database == database)
        #expect(address.socketPath == nil)
    }

    @Test("A Unix-socket address gives the socket directory and the socket file the port names", arguments: [
        ("postgres://callwarden@/callwarden?host=/run/postgresql&port=5432", "/run/postgresql", 5432, "/run/postgresql/.s.PGSQL.5432"),
        ("postgres://callwarden@/callwarden?port=6001&host=/tmp/pg", "/tmp/pg", 6001, "/tmp/pg/.s.PGSQL.6001"),
        ("postgres://callwarden@/callwarden?host=%2Fvar%2Frun%2Fpostgresql", "/var/run/postgresql", 5432, "/var/run/postgresql/.s.PGSQL.5432"),
    ])
    func unixSocket(text: String, directory: String, port: Int, socket: String) throws {
        let address = try SharedRecordAddress.parse(text)
        #expect(address.endpoint == .unixSocket(directory: directory, port: port))
        #expect(address.socketPath == socket)
        #expect(address.user == "callwarden")
        #expect(address.database == "callwarden")
    }

    @Test("An address reads back the same from its description", arguments: [
        "postgres://callwarden@db.example:6543/evidence",
        "postgres://cw@[fd00::7]:5433/record",
        "postgres://call%20warden@/r%2Fx?host=/run/postgresql&port=5432",
    ])
    func description(text: String) throws {
        let address = try SharedRecordAddress.parse(text)
        #expect(try SharedRecordAddress.parse(address.description) == address)
    }

    @Test("An address holding a password is refused, and the refusal does not repeat it", arguments: [
        "postgres://callwarden:hunter2secret@db.example:5432/callwarden",
        "postgres://callwarden:hunter2secret@/callwarden?host=/run/postgresql",
        "postgres://callwarden:hun/ter2secret@db/callwarden",
        "postgres://callwarden:hunter2secret#@db/callwarden",
        "postgresql://callwarden:hunter2@secret@db/callwarden",
    ])
    func password(text: String) {
        let error = #expect(throws: SharedRecordAddressError.self) { try SharedRecordAddress.parse(text) }
        let message = error?.description ?? ""
        #expect(message.contains("password"))
        #expect(!message.contains("hunter2"))
        #expect(!message.contains("secret"))
    }

    @Test("Addresses callwarden cannot use are refused with the reason", arguments: [
        ("mysql://callwarden@db/callwarden", "postgres://"),
        ("postgres://db.example:5432/callwarden", "no user"),
        ("postgres://callwarden@db.example:5432", "no database"),
        ("postgres://callwarden@db.example:5432/", "no database"),
        ("postgres://callwarden@/callwarden", "no host"),
        ("postgres://callwarden@db:0/callwarden", "port"),
        ("postgres://callwarden@db:65536/callwarden", "port"),
        ("postgres://callwarden@db:-1/callwarden", "port"),
        ("postgres://callwarden@db:99999999999999999999/callwarden", "port"),
        ("postgres://callwarden@db/callwarden?sslmode=require", "TLS"),
        ("postgres://callwarden@db/callwarden?host=/run/postgresql", "both"),
        ("postgres://callwarden@/callwarden?host=run/postgresql", "absolute"),
        ("postgres://callwarden@/callwarden?host=/run/postgresql&host=/tmp", "twice"),
        ("postgres://callwarden@db:5432/callwarden?port=5433", "twice"),
        ("postgres://callwarden@[db]/callwarden", "IPv6"),
        ("postgres://callwarden@db%2F/callwarden", "not a host name"),
        ("postgres://call%0Awarden@db/callwarden", "control"),
        ("postgres://callwarden@db/call%zzwarden", "hex"),
    ])
    func refused(text: String, reason: String) {
        let error = #expect(throws: SharedRecordAddressError.self) { try SharedRecordAddress.parse(text) }
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "accepted")")
    }

    @Test("A socket path too long for a Unix socket is refused")
    func longSocketPath() {
        let directory = "/" + String(repeating: "d", count: 100)
        #expect(throws: SharedRecordAddressError.self) {
            try SharedRecordAddress.parse("postgres://callwarden@/callwarden?host=\(directory)")
        }
    }
}
