import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Event times a little in the past, so that the ladder's vent time has not passed for a test.
private let base = (Date().timeIntervalSince1970 - 2000).rounded(.down)

@Suite("The metrics endpoint, end to end")
struct MetricsEndToEndTests {
    @Test("GET /metrics on a Unix socket (its directory made, its mode as asked) answers 200 in text format, and the counters move with decisions, incidents, hang-up answers and reloads")
    func countersMove() throws {
        let daemon = try Daemon()
        // In a directory that does not exist yet: the daemon makes it, as for its protocol socket.
        let metricsSocket = daemon.directory.appendingPathComponent("metrics/metrics.sock").path
        try daemon.start(extraArguments: ["--metrics", "unix:\(metricsSocket)", "--metrics-socket-mode", "640"])
        var info = stat()
        #expect(lstat(metricsSocket, &info) == 0 && info.st_mode & 0o777 == 0o640)

        let first = try MetricsClient.get(unix: metricsSocket)
        #expect(first.status == 200)
        #expect(first.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(first.body.contains("# TYPE callwarden_decisions_total counter"))
        #expect(first.body.contains("# HELP callwarden_incidents_total "))
        #expect(first.body.contains("# TYPE callwarden_record_commit_seconds histogram"))
        let before = MetricsClient.samples(first.body)
        // Every rule and kind of the policy is there from the start, at zero.
        #expect(before[#"callwarden_decisions_total{route="normal",rule="default"}"#] == 0)
        #expect(before[#"callwarden_incidents_total{kind="physical_threat"}"#] == 0)

        let client = try daemon.client()
        #expect(try client.request(["type": "call.offered", "call": "m1", "caller": "+447700900123", "at": base + 1000]).ok)
        #expect(try client.request(["type": "abuse", "call": "m1", "kind": "verbal", "agent": "a1", "at": base + 1010]).ok)
        let hangup = try client.request(["type": "hangup.request", "call": "m1", "agent": "a1", "at": base + 1030])
        #expect(hangup.string("hangup") == "denied")

        let after = MetricsClient.samples(try MetricsClient.get(unix: metricsSocket).body)
        func delta(_ series: String) -> Double { (after[series] ?? -1) - (before[series] ?? 0) }
        #expect(delta(#"callwarden_decisions_total{route="normal",rule="default"}"#) == 1)
        #expect(delta(#"callwarden_incidents_total{kind="verbal"}"#) == 1)
        #expect(delta(#"callwarden_hangup_answers_total{answer="denied"}"#) == 1)
        #expect(after["callwarden_open_calls"] == 1)
        #expect((after["callwarden_connections"] ?? 0) >= 1)
        #expect((after["callwarden_record_commit_seconds_count"] ?? 0) >= 1)
        #expect(after["callwarden_record_degraded"] == 0)

        // A reload is counted once it has happened (SIGHUP is handled in the background).
        daemon.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(20)
        var reloads = 0.0
        while Date() < deadline {
            reloads = MetricsClient.samples(try MetricsClient.get(unix: metricsSocket).body)[#"callwarden_policy_reloads_total{outcome="applied"}"#] ?? 0
            if reloads >= 1 { break }
            usleep(20_000)
        }
        #expect(reloads == 1)
        #expect(daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: metricsSocket))
    }

    @Test("Alert commands are counted by outcome: one that exits 0 and one that exits 1")
    func alertOutcomes() throws {
        let daemon = try Daemon()
        let script = daemon.directory.appendingPathComponent("page-security").path
        // Succeeds for one incident, fails for the other: the incident id is in its environment.
        let command = try AlertScript.write("[ \"$CALLWARDEN_CALLER\" = '+447700900001' ]\n", to: script)
        try daemon.usePolicy(try Daemon.shippedPolicyText() + "\nalert:\n  command: \(command)\n  timeout: 1m\n")
        let metricsSocket = daemon.directory.appendingPathComponent("metrics.sock").path
        try daemon.start(extraArguments: ["--metrics", "unix:\(metricsSocket)"])
        let client = try daemon.client()
        for caller in ["+447700900001", "+447700900002"] {
            #expect(try client.request(["type": "abuse", "caller": caller, "kind": "physical_threat"])["alert"] as? Bool == true)
        }
        let deadline = Date().addingTimeInterval(60)
        var samples: [String: Double] = [:]
        while Date() < deadline {
            samples = MetricsClient.samples(try MetricsClient.get(unix: metricsSocket).body)
            if (samples[#"callwarden_alert_commands_total{outcome="succeeded"}"#] ?? 0) + (samples[#"callwarden_alert_commands_total{outcome="failed"}"#] ?? 0) >= 2 { break }
            usleep(20_000)
        }
        #expect(samples[#"callwarden_alert_commands_total{outcome="succeeded"}"#] == 1)
        #expect(samples[#"callwarden_alert_commands_total{outcome="failed"}"#] == 1)
        #expect(samples[#"callwarden_alert_commands_total{outcome="dropped"}"#] == 0)
        #expect(samples[#"callwarden_incidents_total{kind="physical_threat"}"#] == 2)
    }

    @Test("On a loopback TCP port: /metrics answers 200, other paths 404, other methods 405")
    func loopbackTCP() throws {
        let port = try MetricsClient.freePort()
        let daemon = try Daemon().start(extraArguments: ["--metrics", "127.0.0.1:\(port)"])
        let metrics = try MetricsClient.get(port: port)
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metrics.body.contains("callwarden_start_time_seconds "))
        #expect(try MetricsClient.get("/", port: port).status == 404)
        #expect(try MetricsClient.get("/metrics?debug=1", port: port).status == 200)
        let post = try #require(MetricsClient.connect(port: port))
        #expect(try MetricsClient.exchange(post, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status == 405)
        #expect(daemon.stop() == 0)
    }

    @Test("A connection beyond four is answered 503, an oversized request is closed unanswered, and the endpoint serves again after")
    func bounded() throws {
        let port = try MetricsClient.freePort()
        let daemon = try Daemon().start(extraArguments: ["--metrics", "127.0.0.1:\(port)"])
        // Four idle connections take every slot. The server accepts in the order the connections
        // were made, so the fifth is counted after them.
        var held: [Int32] = []
        for _ in 0..<4 { held.append(try #require(MetricsClient.connect(port: port))) }
        let fifth = try #require(MetricsClient.connect(port: port))
        #expect(try MetricsClient.exchange(fifth, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").status == 503)
        for fd in held { close(fd) }

        let big = try #require(MetricsClient.connect(port: port))
        defer { close(big) }
        let padding = String(repeating: "a", count: 16 * 1024)
        try? MetricsClient.write(big, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: \(padding)\r\n\r\n")
        let answer = MetricsClient.readAll(big) ?? ""
        #expect(!answer.contains("200 OK"))

        // The slots come back as the held connections close.
        let deadline = Date().addingTimeInterval(20)
        var status = 0
        while Date() < deadline {
            status = (try? MetricsClient.get(port: port).status) ?? 0
            if status == 200 { break }
            usleep(20_000)
        }
        #expect(status == 200)
        #expect(daemon.stop() == 0)
    }

    @Test("Without --metrics the daemon listens on its protocol socket only; with it, on one more")
    func nothingListensWithoutTheFlag() throws {
        let plain = try Daemon().start()
        let plainPID = try #require(plain.process?.processIdentifier)
        #expect(ListeningSockets.of(pid: plainPID) == ListeningSockets(tcp: 0, unixPaths: [plain.socketPath]))

        // The same look finds the endpoint when there is one (so the check above can fail).
        let port = try MetricsClient.freePort()
        let measured = try Daemon().start(extraArguments: ["--metrics", "127.0.0.1:\(port)"])
        let measuredPID = try #require(measured.process?.processIdentifier)
        #expect(ListeningSockets.of(pid: measuredPID) == ListeningSockets(tcp: 1, unixPaths: [measured.socketPath]))
    }

    @Test("A non-loopback or unparsable --metrics address is refused at start, naming the problem")
    func nonLoopbackRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("callwarden.sock").path
        let common = ["--socket", socket, "--policy", Daemon.shippedPolicy, "--state-dir", directory.appendingPathComponent("state").path]
        for (address, words) in [
            ("0.0.0.0:9464", "is not a loopback address"), ("192.0.2.1:9464", "is not a loopback address"),
            ("[::]:9464", "is not a loopback address"), ("localhost:9464", "is a name, not a loopback address"),
            ("127.0.0.1:0", "port must be a number from 1 to 65535"), ("unix:metrics.sock", "absolute path"),
        ] {
            let (status, output) = try runDaemonCommand(common + ["--metrics", address])
            #expect(status == 64, "\(address): \(output)")
            #expect(output.contains(words), "\(address): \(output)")
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test("A metrics port already in use stops the start with a clear error")
    func portInUse() throws {
        let port = try MetricsClient.freePort()
        let occupant = try ListeningSockets.listen(port: port)
        defer { close(occupant) }
        let daemon = try Daemon()
        try daemon.launch(extraArguments: ["--metrics", "127.0.0.1:\(port)"])
        #expect(daemon.waitForExit() == 73)
        #expect(daemon.log.contains("cannot serve metrics at 127.0.0.1:\(port)"))
    }
}

/// The listening sockets a process holds, from /proc: TCP ones counted, Unix ones by path.
///
/// The kernel lists sockets a page at a time by position, so a table read while other processes
/// open and close sockets (the other tests) can skip a line; the tables are read several times and
/// what any read shows is kept.
struct ListeningSockets: Equatable {
    var tcp: Int
    var unixPaths: [String]

    static func of(pid: Int32) -> ListeningSockets {
        let inodes = socketInodes(pid: pid)
        var tcp = Set<String>()
        var paths = Set<String>()
        for _ in 0..<8 {
            for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
                // sl local rem st ... inode; st 0A: TCP_LISTEN.
                for fields in rows(table) where fields.count > 9 && fields[3] == "0A" && inodes.contains(fields[9]) {
                    tcp.insert(fields[9])
                }
            }
            // Num RefCount Protocol Flags Type St Inode Path; flags 00010000: accepting connections.
            for fields in rows("/proc/net/unix") where fields.count > 7 && fields[3] == "00010000" && inodes.contains(fields[6]) {
                paths.insert(fields[7])
            }
        }
        return ListeningSockets(tcp: tcp.count, unixPaths: paths.sorted())
    }

    private static func socketInodes(pid: Int32) -> Set<String> {
        let directory = "/proc/\(pid)/fd"
        var inodes = Set<String>()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + name),
                  target.hasPrefix("socket:[") else { continue }
            inodes.insert(String(target.dropFirst("socket:[".count).dropLast()))
        }
        return inodes
    }

    /// A /proc table's rows, read with large reads (fewer pages, fewer chances to skip a line).
    private static func rows(_ path: String) -> [[String]] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
    }

    /// A listening TCP socket on 127.0.0.1:`port`, to occupy it.
    static func listen(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, Glibc.listen(fd, 1) == 0 else {
            close(fd)
            throw MetricsClient.Failure(description: "cannot listen on 127.0.0.1:\(port): errno \(errno)")
        }
        return fd
    }
}
