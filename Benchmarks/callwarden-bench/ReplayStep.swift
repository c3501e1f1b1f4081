import CallwardenCore
import CallwardenReplay
import CallwardenStore
import Foundation
import Logging

/// `policy.test`'s replay over a year of history for K callers: the replay function over the
/// store, as the daemon runs it for `callwardenctl policy test`, without the socket. The
/// candidate is the shipped policy with its nuisance rule sending callers to a callback queue,
/// so that the report has changes to count. Then `report` over the same year: the function the
/// daemon runs for `callwardenctl report --since 1y`, three times.
enum ReplayStep {
    struct Figures {
        var callers: Int
        var entries: Int
        /// Seconds to write the record; nil when a kept one was reused.
        var buildSeconds: Double?
        var recordBytes: Int
        /// nil when the replay was skipped (--report-only).
        var report: ReplayReport?
        /// Resident memory the replay added at its peak.
        var peakGrowth: Int?
        /// Each run of `report` over the year; empty when skipped (--skip-report).
        var recordReports: [RecordReport] = []
        /// The process's CPU seconds in each run of `report` (the figure least disturbed by other
        /// work on a shared machine), and the other processes' busy cores meanwhile.
        var recordReportCPU: [Double] = []
        var recordReportOthers: [Double] = []
    }

    /// The replay must take under this many seconds for 1,000,000 callers.
    static let target = 10.0
    /// `report` over a year of 1,000,000 callers must take under this many seconds.
    static let reportTarget = 2.0
    /// Runs of `report`: the figure is their median.
    static let reportRuns = 3

    static func run(callers: Int, policyPath: String, keepIn kept: String?, replay: Bool = true, report: Bool = true) throws -> Figures {
        guard callers <= ReplayRecord.maximumCallers else { throw BenchFailure("the replay record holds at most \(ReplayRecord.maximumCallers) callers") }
        let directory = try kept ?? Scratch.makeDirectory("cwreplay")
        defer { if kept == nil { Scratch.removeDirectory(directory) } }
        var logger = Logger(label: "callwarden-bench.replay")
        logger.logLevel = .warning
        let store = try RecordStore(directory: directory, logger: logger)
        let writerDone = DispatchSemaphore(value: 0)
        Task.detached {
            await store.runWriter()
            writerDone.signal()
        }
        defer {
            store.stopWriter()
            writerDone.wait()
        }

        // The record's year ends at the time kept beside it, so a kept record replays the same.
        let marker = directory + "/replay-record"
        var buildSeconds: Double?
        let now: Double
        if store.nextID > 1 {
            let fields = ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").split(separator: " ")
            guard fields.count == 2, Int(fields[0]) == callers, let end = Double(fields[1]) else {
                throw BenchFailure("\(directory) holds a record that is not a replay record of \(callers) callers; remove it or choose another --replay-dir")
            }
            now = end
            Report.progress("Replay: reusing the record of \(Report.count(callers)) callers in \(directory)")
        } else {
            now = Date().timeIntervalSince1970.rounded(.down)
            Report.progress("Replay: writing a year of history for \(Report.count(callers)) callers...")
            let started = Monotonic.nanoseconds()
            let written = try ReplayRecord(population: Population(withHistory: callers), now: now).write(into: store)
            buildSeconds = Monotonic.seconds(since: started)
            try "\(callers) \(now)".write(toFile: marker, atomically: true, encoding: .utf8)
            Report.progress("  \(Report.count(written)) entries in \(Report.seconds(buildSeconds!))")
        }

        let text = try String(contentsOfFile: policyPath, encoding: .utf8)
        let live = try PolicyParser.parse(text, file: policyPath)
        // The shipped nuisance rule has a review, which only a restriction may have: it goes too.
        let candidateText = text.replacingOccurrences(
            of: "    review: 180d\n    route: nuisance\n    queue: nuisance\n    priority: 0\n", with: "    route: normal\n    queue: callback\n    priority: 2\n")
        guard candidateText != text else { throw BenchFailure("\(policyPath) has no nuisance rule as the shipped policy words it: the candidate would change nothing") }
        let candidate = try PolicyParser.parse(candidateText, file: "candidate")

        var replayed: ReplayReport?
        var peakGrowth: Int?
        if replay {
            Report.progress("Replay: the record through a candidate policy beside the live one...")
            let before = Memory.resetPeak()
            let report = try PolicyReplay.run(store: store, live: live, candidate: candidate, since: nil, now: now)
            let peak = Memory.peak()
            Report.progress("  \(Report.count(report.entries)) entries, \(Report.count(report.calls)) calls, \(Report.count(report.callersNow)) callers now in \(Report.seconds(report.seconds))")
            replayed = report
            peakGrowth = before.flatMap { start in peak.map { $0 - start } }
        }
        var reports: [RecordReport] = []
        var cpu: [Double] = []
        var others: [Double] = []
        if report {
            for run in 1...reportRuns {
                Report.progress("Report: a year of the record (run \(run) of \(reportRuns))...")
                let (startSelf, startMachine) = (CPUUsage.processSeconds("/proc/self/stat"), CPUUsage.machineBusySeconds())
                let counted = try RecordReport.read(store: store, since: now - ReplayRecord.year, now: now)
                let used = CPUUsage.processSeconds("/proc/self/stat") - startSelf
                cpu.append(used)
                others.append(max(0, CPUUsage.machineBusySeconds() - startMachine - used) / max(counted.seconds, 1e-9))
                Report.progress("  \(Report.count(counted.entries)) entries counted in \(Report.seconds(counted.seconds)) (\(Report.seconds(used)) of CPU)")
                reports.append(counted)
            }
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
        let entries = replayed?.entries ?? Int(store.nextID - 1)
        return Figures(
            callers: callers, entries: entries, buildSeconds: buildSeconds, recordBytes: bytes, report: replayed,
            peakGrowth: peakGrowth, recordReports: reports, recordReportCPU: cpu, recordReportOthers: others)
    }
}

/// This process's resident memory, from /proc/self/status.
enum Memory {
    /// Resets the peak resident size (VmHWM) to the current one; returns the current one.
    static func resetPeak() -> Int? {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return field("VmRSS:")
    }

    static func peak() -> Int? { field("VmHWM:") }

    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }
}
