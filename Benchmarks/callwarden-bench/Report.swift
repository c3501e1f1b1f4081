import CallwardenReplay
import CallwardenStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Prints the run: progress while it goes (stderr), then the figures, their ratios to the floor,
/// and the targets with PASS or MISS (stdout), in a form that can be pasted into
/// docs/performance.md.
struct Report {
    let callers: Int
    let suite: LoadSuite
    var micro: [DecisionMicrobench.Figure] = []
    var floor: [LoadSuite.Load: LoadResult] = [:]
    var daemon: DaemonFigures?
    var replay: ReplayStep.Figures?

    static func progress(_ text: String) {
        fflush(nil)  // stdout first, so the two streams interleave in order on a terminal
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func header() {
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let date = Date().formatted(Date.ISO8601FormatStyle())
        print("callwarden-bench \(date), \(ProcessInfo.processInfo.activeProcessorCount) cores, Linux \(kernel)\(Self.commit().map { ", commit \($0)" } ?? "")")
        print("callers with history: \(Self.count(callers)); each load: \(suite.settings.warmup) s warm-up, \(suite.settings.duration) s measured")
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("load average at start: \(load)")
    }

    // MARK: Figures

    func printMicro() {
        print("\n## Decision path (ns per call, in process)\n")
        print("| step | ns/call |")
        print("|---|---:|")
        for figure in micro { print("| \(figure.name) | \(String(format: "%.0f", figure.nanoseconds)) |") }
    }

    func printAll() {
        if replay != nil { printReplay() }
        if !micro.isEmpty { printMicro() }
        printLoads()
        if let daemon { printDaemon(daemon) }
        if daemon != nil { printTargets() }
        print("")
    }

    private func printLoads() {
        let showDaemon = daemon != nil
        print("\n## Loads (latency in µs, from the intended send time in open loops)\n")
        print(showDaemon ? "| load | figure | callwardend | floor | ratio |" : "| load | figure | floor |")
        print(showDaemon ? "|---|---|---:|---:|---:|" : "|---|---|---:|")
        for load in suite.loads {
            let mine = daemon?.loads[load]
            let base = floor[load]
            var rows: [(String, Double?, Double?, Bool)] = []  // name, daemon, floor, isRate
            let kinds = RequestKind.allCases.filter { kind in
                [mine, base].contains { ($0?.answeredInWindow[Int(kind.rawValue)] ?? 0) > 0 }
            }
            for kind in kinds {
                rows.append(("\(kind.name)/s", mine?.rate(of: kind), base?.rate(of: kind), true))
                for (label, pick) in [("p50", \LatencySummary.p50), ("p99", \LatencySummary.p99), ("p99.9", \LatencySummary.p999)] {
                    rows.append(("\(kind.name) \(label)", mine?.latency.summary(of: kind)?[keyPath: pick], base?.latency.summary(of: kind)?[keyPath: pick], false))
                }
            }
            rows.append(("server CPU per request (µs)", mine?.serverMicrosPerRequest, base?.serverMicrosPerRequest, false))
            for (index, row) in rows.enumerated() {
                let title = index == 0 ? "\(load.rawValue)<br>\(suite.describe(load))" : ""
                let format = row.3 ? Self.rate : Self.micros
                if showDaemon {
                    let ratio = row.1.flatMap { d in row.2.map { f in f > 0 ? String(format: "%.2f", d / f) : "-" } } ?? "-"
                    print("| \(title) | \(row.0) | \(row.1.map(format) ?? "-") | \(row.2.map(format) ?? "-") | \(ratio) |")
                } else {
                    print("| \(title) | \(row.0) | \(row.2.map(format) ?? "-") |")
                }
            }
            for (server, result) in [("callwardend", mine), ("floor", base)] {
                guard let result else { continue }
                // A note spans the value columns: the daemon's and the floor's notes alike.
                func note(_ label: String, _ value: String) {
                    print(showDaemon ? "|  | \(server): \(label) | \(value) | | |" : "|  | \(label) | \(value) |")
                }
                if let error = result.error { note("error", error) }
                if result.failures > 0 { note("refused", "\(result.failures): \(result.firstFailure ?? "")") }
                if result.missing > 0 { note("unanswered", "\(result.missing)") }
                if let cpu = result.cpu {
                    note("CPU, cores: server / client / other processes", String(format: "%.2f / %.2f / %.2f", cpu.server, cpu.client, cpu.others))
                }
                if load.isOpenLoop, result.worstSendLag > 1000 { note("client behind schedule at worst", "\(Self.micros(result.worstSendLag)) µs") }
            }
        }
        if showDaemon { print("\nratio: callwardend / floor (for a rate, below 1 is slower than the floor; for a latency, above 1).") }
    }

    private func printDaemon(_ figures: DaemonFigures) {
        print("\n## callwardend\n")
        print("| figure | value |")
        print("|---|---:|")
        if let start = figures.emptyStart { print("| empty record: start to READY / first answer | \(Self.seconds(start.ready)) / \(Self.seconds(start.firstAnswer)) |") }
        if let rss = figures.emptyResident { print("| empty record: resident memory (VmRSS) | \(Self.mebibytes(rss)) |") }
        if let seeding = figures.seeding {
            print("| seeding: \(Self.count(figures.seededIncidents)) abuse reports, \(suite.settings.abuseConnections) connections x 256 | \(Self.rate(seeding.rate(of: .abuse)))/s in \(Self.seconds(seeding.seconds)) |")
        }
        if let rss = figures.residentAfterSeeding { print("| after seeding (same process): resident memory | \(Self.mebibytes(rss)) |") }
        if figures.reusedRecord { print("| record | reused (--state-dir), not seeded by this run |") }
        print("| record on disk after a clean stop (file + WAL) | \(Self.mebibytes(figures.store.file)) + \(Self.mebibytes(figures.store.wal)) |")
        if let tracked = figures.trackedCallers { print("| callers tracked after restart (status) | \(Self.count(tracked)) |") }
        if let start = figures.loadedStart { print("| \(Self.count(callers)) callers: start to READY / first answer | \(Self.seconds(start.ready)) / \(Self.seconds(start.firstAnswer)) |") }
        if let rss = figures.loadedResident { print("| \(Self.count(callers)) callers: resident memory after restart | \(Self.mebibytes(rss)) |") }
        if let perCaller = bytesPerCaller(figures) { print("| resident bytes per caller beyond the empty daemon | \(String(format: "%.0f", perCaller)) |") }
        if let status = figures.statusSeconds { print("| one `status` answer with \(Self.count(callers)) callers | \(Self.seconds(status)) |") }
        if let rss = figures.residentAfterLoads { print("| resident memory after the loads | \(Self.mebibytes(rss)) |") }
        if let scrapes = figures.scrapes {
            print("| `--metrics`: scrapes during the loads (every \(Self.seconds(scrapes.interval))) / failed / slowest | \(Self.count(scrapes.scrapes)) / \(scrapes.failures) / \(Self.seconds(scrapes.slowest)) (\(Self.count(scrapes.bytes)) bytes each) |")
        }
        if let stop = figures.stopSeconds { print("| SIGTERM to exit after the loads (status \(figures.stopStatus ?? -1)) | \(Self.seconds(stop)) |") }
    }

    private func bytesPerCaller(_ figures: DaemonFigures) -> Double? {
        guard let loaded = figures.loadedResident, let empty = figures.emptyResident else { return nil }
        return Double(loaded - empty) / Double(callers)
    }

    /// The policy-test replay: the record, the replay's figures and its target.
    func printReplay() {
        guard let figures = replay else { return }
        printRecordReport(figures)
        guard let report = figures.report else { return }
        print("\n## Policy test: replaying a year of history (in process)\n")
        print("| figure | value |")
        print("|---|---:|")
        let built = figures.buildSeconds.map { "written in \(Self.seconds($0))" } ?? "reused (--replay-dir)"
        print("| record: \(Self.count(figures.callers)) callers, \(Self.count(figures.entries)) entries | \(Self.mebibytes(figures.recordBytes)), \(built) |")
        print("| decision points: recorded calls / callers now | \(Self.count(report.calls)) / \(Self.count(report.callersNow)) |")
        print("| hang-up requests replayed | \(Self.count(report.hangups.requests)) |")
        print("| changes found (calls / callers now / callers in all) | \(Self.count(report.atCalls.changed)) / \(Self.count(report.atNow.changed)) / \(Self.count(report.callersChanged)) |")
        print("| replay time | \(Self.seconds(report.seconds)) (\(Self.rate(Double(report.entries) / max(report.seconds, 1e-9))) entries/s) |")
        if let growth = figures.peakGrowth { print("| resident memory the replay added at its peak | \(Self.mebibytes(growth)) |") }
        let scale = figures.callers == 1_000_000 ? "" : " (measured with \(Self.count(figures.callers)) callers)"
        let verdict = report.seconds < ReplayStep.target ? "PASS" : "MISS"
        print("\npolicy test: a year of history for 1,000,000 callers replays in < \(Int(ReplayStep.target)) s: \(Self.seconds(report.seconds)), \(verdict)\(scale)")
    }

    /// `report` over the replay's year: the median of its runs against its target.
    func printRecordReport(_ figures: ReplayStep.Figures) {
        let runs = figures.recordReports
        guard !runs.isEmpty else { return }
        let median = runs.map(\.seconds).sorted()[runs.count / 2]
        let counted = runs[0]
        print("\n## Report: a year of the record, counted (in process)\n")
        print("| figure | value |")
        print("|---|---:|")
        print("| record: \(Self.count(figures.callers)) callers, \(Self.count(figures.entries)) entries | \(Self.mebibytes(figures.recordBytes)) |")
        print("| entries counted (incidents, hang-ups, verdicts, forgiveness, call ends) | \(Self.count(counted.entries)) |")
        print("| incidents / hang-up requests / verdicts / response times | \(Self.count(counted.incidents)) / \(Self.count(counted.hangups.requests)) / \(Self.count(counted.supervisors.verdicts)) / \(Self.count(counted.supervisors.responseTimes.count)) |")
        print("| report time, each run | \(runs.map { Self.seconds($0.seconds) }.joined(separator: ", ")) |")
        print("| CPU time, each run | \(figures.recordReportCPU.map { Self.seconds($0) }.joined(separator: ", ")) |")
        print("| other processes meanwhile, cores | \(figures.recordReportOthers.map { String(format: "%.2f", $0) }.joined(separator: ", ")) |")
        print("| report time, median | \(Self.seconds(median)) (\(Self.rate(Double(counted.entries) / max(median, 1e-9))) entries/s) |")
        let scale = figures.callers == 1_000_000 ? "" : " (measured with \(Self.count(figures.callers)) callers)"
        let verdict = median < ReplayStep.reportTarget ? "PASS" : "MISS"
        print("\nreport: a year of the record of 1,000,000 callers counted in < \(Int(ReplayStep.reportTarget)) s: \(Self.seconds(median)), \(verdict)\(scale)")
    }

    // MARK: Targets

    private func printTargets() {
        guard let figures = daemon else { return }
        let settings = suite.settings
        print("\n## Targets (2-core machine)\n")
        print("| target | measured | result |")
        print("|---|---:|---|")
        func row(_ target: String, _ measured: String?, _ pass: Bool?, note: String = "") {
            let verdict = pass.map { $0 ? "PASS" : "MISS" } ?? "not run"
            print("| \(target) | \(measured ?? "-") | \(verdict)\(note.isEmpty ? "" : " (\(note))") |")
        }
        let atTarget = settings.rate == 20_000 && settings.openConnections == 4 ? "" : "measured at \(Int(settings.rate))/s over \(settings.openConnections)"
        let p99 = figures.loads[.offeredOpen]?.latency.summary(of: .offered)?.p99
        row("call.offered p99 < 250 µs at 20,000 req/s over 4 connections (open loop)", p99.map { "\(Self.micros($0)) µs" }, p99.map { $0 < 250 }, note: atTarget)
        if let during = figures.duringPurge, let duringP99 = during.load.latency.summary(of: .offered)?.p99 {
            let purged = "\(during.purgedIncidents.map(Self.count) ?? "?") incidents purged in \(during.purgeSeconds.map(Self.seconds) ?? "?")"
            let without = p99.map { "\(Self.micros($0)) µs without" } ?? "no run without"
            row("call.offered p99 during a retention purge (same rate; routing never waits behind a purge)",
                "\(Self.micros(duringP99)) µs (\(without); \(purged))", p99.map { duringP99 < max(250, 2 * $0) }, note: "criterion: under twice the p99 without a purge, or under 250 µs")
        }
        let offered = figures.loads[.offeredClosed]?.rate(of: .offered)
        row("call.offered >= 100,000/s pipelined (closed loop)", offered.map { "\(Self.rate($0))/s" }, offered.map { $0 >= 100_000 })
        let abuse = figures.loads[.abuseClosed]?.rate(of: .abuse)
        row("durable abuse >= 20,000/s from \(settings.abuseConnections) connections (abuse-heavy mix)", abuse.map { "\(Self.rate($0))/s" }, abuse.map { $0 >= 20_000 },
            note: settings.abuseConnections == 16 ? "" : "target is for 16 connections")
        if let seeding = figures.seeding {
            let rate = seeding.rate(of: .abuse)
            row("durable abuse >= 20,000/s from \(settings.abuseConnections) connections (seeding, 100% abuse)", "\(Self.rate(rate))/s", rate >= 20_000)
        }
        let scale = callers == 1_000_000 ? "" : "projected to 1,000,000 from \(Self.count(callers))"
        if let perCaller = bytesPerCaller(figures), let empty = figures.emptyResident, let loaded = figures.loadedResident {
            let atMillion = callers == 1_000_000 ? Double(loaded) : Double(empty) + perCaller * 1_000_000
            row("1,000,000 callers with history: RSS < 256 MiB", Self.mebibytes(Int(atMillion)), atMillion < 256 * 1024 * 1024, note: scale)
            row("1,000,000 callers with history: < 200 bytes per caller beyond the empty daemon", String(format: "%.0f B", perCaller), perCaller < 200)
        }
        if let start = figures.loadedStart {
            row("1,000,000 callers with history: start-up to READY < 2 s", Self.seconds(start.ready), start.ready < 2,
                note: callers == 1_000_000 ? "" : "measured with \(Self.count(callers))")
        }
        let p50 = figures.loads[.offeredOpen]?.latency.summary(of: .offered)?.p50
        let floorP50 = floor[.offeredOpen]?.latency.summary(of: .offered)?.p50
        if let p50, let floorP50 {
            row("call.offered p50 within 3x of the floor's at the same rate", String(format: "%.2fx", p50 / floorP50) + " (\(Self.micros(p50)) / \(Self.micros(floorP50)) µs)", p50 / floorP50 <= 3)
        } else {
            row("call.offered p50 within 3x of the floor's at the same rate", nil, nil)
        }
    }

    // MARK: Formatting

    static func summary(_ result: LoadResult) -> String {
        var parts: [String] = []
        for kind in RequestKind.allCases where result.answeredInWindow[Int(kind.rawValue)] > 0 {
            var part = "\(kind.name) \(rate(result.rate(of: kind)))/s"
            if let latency = result.latency.summary(of: kind) {
                part += " p50 \(micros(latency.p50)) p99 \(micros(latency.p99)) p99.9 \(micros(latency.p999)) µs"
            }
            if let service = result.serviceLatency.summary(of: kind) {
                part += " (from the actual send: p50 \(micros(service.p50)) p99 \(micros(service.p99)))"
            }
            parts.append(part)
        }
        if result.failures > 0 { parts.append("\(result.failures) refused (\(result.firstFailure ?? ""))") }
        if result.missing > 0 { parts.append("\(result.missing) unanswered") }
        if let cpu = result.cpu {
            parts.append(String(format: "CPU server %.2f client %.2f others %.2f", cpu.server, cpu.client, cpu.others))
            if let micros = result.serverMicrosPerRequest { parts.append(String(format: "%.1f µs server CPU/request", micros)) }
        }
        if let error = result.error { parts.append("error: \(error)") }
        return parts.isEmpty ? "no answers" : parts.joined(separator: "; ")
    }

    static func micros(_ value: Double) -> String {
        value >= 1000 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    static func rate(_ value: Double) -> String { count(Int(value.rounded())) }

    static func seconds(_ value: Double) -> String {
        value < 1 ? String(format: "%.0f ms", value * 1000) : String(format: "%.2f s", value)
    }

    static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    static func count(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }

    /// The source tree's commit, when run from inside it (`+` when it has local changes).
    static func commit() -> String? {
        func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let head = git(["rev-parse", "--short", "HEAD"]) else { return nil }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
        return head + (dirty ? "+" : "")
    }
}
