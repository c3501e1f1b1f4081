import CallwardenMetrics
import Testing

@Suite("--metrics addresses")
struct MetricsAddressTests {
    @Test("Loopback TCP addresses and absolute Unix socket paths are accepted as written")
    func accepted() throws {
        #expect(try MetricsAddress.parse("127.0.0.1:9464") == .tcp(host: "127.0.0.1", port: 9464))
        #expect(try MetricsAddress.parse("127.3.2.1:1") == .tcp(host: "127.3.2.1", port: 1))
        #expect(try MetricsAddress.parse("[::1]:65535") == .tcp(host: "::1", port: 65535))
        #expect(try MetricsAddress.parse("[0:0:0:0:0:0:0:1]:9464") == .tcp(host: "0:0:0:0:0:0:0:1", port: 9464))
        #expect(try MetricsAddress.parse("unix:/run/callwarden/metrics.sock") == .unix(path: "/run/callwarden/metrics.sock"))
        #expect(try MetricsAddress.parse("[::1]:9464").description == "[::1]:9464")
    }

    @Test("Addresses off the machine, host names and the unspecified addresses are refused as not loopback")
    func notLoopback() {
        for text in ["0.0.0.0:9464", "10.0.0.1:9464", "128.0.0.1:9464", "[::]:9464", "[::2]:9464", "[::ffff:127.0.0.1]:9464", "localhost:9464", ":9464", "[fe80::1]:9464"] {
            #expect(throws: MetricsAddress.Refused.self, "\(text)") { try MetricsAddress.parse(text) }
            let message = (try? MetricsAddress.parse(text)).map { "\($0)" } ?? refusal(text)
            #expect(message.contains("loopback"), "\(text): \(message)")
        }
    }

    @Test("Ports outside 1-65535, signs, missing ports and relative or over-long socket paths are refused")
    func malformed() {
        let cases = [
            "127.0.0.1:0": "port", "127.0.0.1:65536": "port", "127.0.0.1:+80": "port", "127.0.0.1:-1": "port",
            "127.0.0.1:99999999999999999999": "port", "127.0.0.1": "ADDRESS:PORT", "127.0.0.1:": "port", "[::1]9464": "[::1]:PORT",
            "unix:metrics.sock": "absolute path", "unix:": "absolute path", "unix:/\(String(repeating: "a", count: 200))": "longer than",
        ]
        for (text, words) in cases {
            let message = refusal(text)
            #expect(message.contains(words), "\(text): \(message)")
        }
    }

    private func refusal(_ text: String) -> String {
        do {
            let address = try MetricsAddress.parse(text)
            return "accepted as \(address)"
        } catch {
            return error.description
        }
    }
}
