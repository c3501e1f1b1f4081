import CallwardenMetrics
import Foundation
import Testing
import Yams

/// The sample files in Config/prometheus/ are read by Prometheus, not by callwarden: these tests
/// check they are YAML of the shape Prometheus expects and that every series and label they name
/// is one callwardend exports, so a renamed metric cannot leave a rule that never fires.
@Suite("Config/prometheus samples")
struct PrometheusConfigTests {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/prometheus")
    }

    static func load(_ name: String) throws -> [String: Any] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any], "\(name) is not a YAML mapping")
    }

    static func rules() throws -> [[String: Any]] {
        let groups = try #require(try load("callwarden-alerts.yml")["groups"] as? [[String: Any]])
        #expect(groups.count == 1 && groups[0]["name"] as? String == "callwarden")
        return try #require(groups.first?["rules"] as? [[String: Any]])
    }

    @Test("Every alerting rule has a unique name, an expression, a severity, a summary and a valid duration")
    func ruleShape() throws {
        let rules = try Self.rules()
        #expect(rules.count >= 8)
        var names = Set<String>()
        for rule in rules {
            let name = try #require(rule["alert"] as? String)
            #expect(names.insert(name).inserted, "\(name) twice")
            #expect(name.hasPrefix("Callwarden") && !name.contains(" "), "\(name)")
            #expect(Set(rule.keys).isSubset(of: ["alert", "expr", "for", "labels", "annotations"]), "\(name): \(rule.keys.sorted())")
            let expression = rule["expr"] as? String ?? ""
            #expect(expression.count > 5, "\(name)")
            let severity = (rule["labels"] as? [String: Any])?["severity"] as? String
            #expect(severity == "critical" || severity == "warning", "\(name)")
            let summary = (rule["annotations"] as? [String: Any])?["summary"] as? String ?? ""
            #expect(summary.count > 10, "\(name)")
            if let duration = rule["for"] {
                #expect((duration as? String)?.wholeMatch(of: /[0-9]+[smh]/) != nil, "\(name): for \(duration)")
            }
        }
        // The alerts the endpoint exists for.
        for expected in ["CallwardenDown", "CallwardenRecordDegraded", "CallwardenAlertCommandsFailing", "CallwardenAlertCommandsDropped", "CallwardenCommitLatencyHigh", "CallwardenManySupervisorRequests"] {
            #expect(names.contains(expected), "\(expected)")
        }
    }

    @Test("Every callwarden series an expression names is exported, with labels it has and fixed values it can take")
    func seriesExist() throws {
        let fixedValues: [String: Set<String>] = [
            "answer": ["authorised", "denied", "supervisor_required"], "outcome": ["succeeded", "failed", "dropped", "applied", "refused"],
        ]
        var named = 0
        for rule in try Self.rules() {
            let expression = try #require(rule["expr"] as? String)
            for match in expression.matches(of: /(callwarden_[a-z_]+)(\{[^}]*\})?/) {
                named += 1
                let series = String(match.output.1)
                #expect(MetricCatalog.seriesNames.contains(series), "\(series) in \(expression)")
                let base = ["_bucket", "_sum", "_count"].reduce(series) { name, suffix in
                    name.hasSuffix(suffix) && !MetricCatalog.all.contains { $0.name == name } ? String(name.dropLast(suffix.count)) : name
                }
                let labels = MetricCatalog.all.first { $0.name == base }?.labels ?? []
                guard let selector = match.output.2 else { continue }
                for matcher in selector.matches(of: /([a-z_]+)\s*(=~|!=|=)\s*"([^"]*)"/) {
                    let label = String(matcher.output.1)
                    #expect(labels.contains(label), "\(series) has no label \(label)")
                    if matcher.output.2 == "=", let values = fixedValues[label] {
                        #expect(values.contains(String(matcher.output.3)), "\(label)=\(matcher.output.3)")
                    }
                }
            }
        }
        #expect(named >= 8)
    }

    @Test("The scrape example scrapes a loopback target as job callwarden and loads the sample rules")
    func scrapeExample() throws {
        let config = try Self.load("prometheus-scrape.yml")
        let ruleFiles = try #require(config["rule_files"] as? [String])
        #expect(ruleFiles.contains { $0.hasSuffix("/callwarden-alerts.yml") })
        let jobs = try #require(config["scrape_configs"] as? [[String: Any]])
        let job = try #require(jobs.first { $0["job_name"] as? String == "callwarden" })
        #expect(job["metrics_path"] as? String == "/metrics")
        let targets = try #require((job["static_configs"] as? [[String: Any]])?.first?["targets"] as? [String])
        #expect(!targets.isEmpty)
        for target in targets {
            // What `callwardend --metrics` would accept for the same address.
            #expect(throws: Never.self) { try MetricsAddress.parse(target) }
        }
        // The rules' job selector is this job's name.
        let expressions = try Self.rules().compactMap { $0["expr"] as? String }
        #expect(expressions.contains { $0.contains(#"job="callwarden""#) })
    }
}
