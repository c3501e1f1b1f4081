import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time used during a load, from /proc: by the server under test, by the benchmark's client,
/// and by everything else on the machine.
///
/// The machine has two cores shared with other work. Throughput and latency alone cannot tell a
/// slower commit from a busier neighbour; the server's CPU time per request can, and "others"
/// says how disturbed a run was.
struct CPUUsage {
    /// Cores used on average over the load, by each party.
    var server: Double
    var client: Double
    var others: Double
    /// Wall-clock seconds the load took, warm-up included.
    var seconds: Double
    /// Server CPU seconds in all (for per-request cost).
    var serverSeconds: Double

    struct Snapshot {
        var wall: UInt64
        var machineBusy: Double
        var bench: Double
        var floorThreads: Double
        var daemon: Double

        /// `daemon`: the server's pid, or nil for the floor (threads of this process named
        /// `NIO-ELT-...`).
        static func take(daemon pid: Int32?) -> Snapshot {
            Snapshot(
                wall: Monotonic.nanoseconds(), machineBusy: CPUUsage.machineBusySeconds(),
                bench: CPUUsage.processSeconds("/proc/self/stat"),
                floorThreads: pid == nil ? CPUUsage.floorThreadSeconds() : 0,
                daemon: pid.map { CPUUsage.processSeconds("/proc/\($0)/stat") } ?? 0)
        }
    }

    init(from start: Snapshot, to end: Snapshot, daemon: Bool) {
        seconds = max(1e-9, Double(end.wall - start.wall) / 1e9)
        let bench = end.bench - start.bench
        let busy = end.machineBusy - start.machineBusy
        if daemon {
            serverSeconds = end.daemon - start.daemon
            client = bench / seconds
        } else {
            serverSeconds = end.floorThreads - start.floorThreads
            client = (bench - serverSeconds) / seconds
        }
        server = serverSeconds / seconds
        others = max(0, (busy - bench - (daemon ? serverSeconds : 0)) / seconds)
    }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Busy time of all CPUs since boot, in seconds (the `cpu` line of /proc/stat, less idle and
    /// iowait).
    static func machineBusySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return 0 }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return 0 }
        // user nice system idle iowait irq softirq steal
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
        return busy / ticksPerSecond
    }

    /// utime + stime of a process or thread, in seconds.
    static func processSeconds(_ statPath: String) -> Double {
        guard let text = try? String(contentsOfFile: statPath, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after the command name; utime and stime are fields 14 and 15 of the whole line.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / ticksPerSecond
    }

    /// CPU time of this process's NIO event-loop threads: the floor server's share.
    static func floorThreadSeconds() -> Double {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return 0 }
        var total = 0.0
        for task in tasks {
            guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8), name.hasPrefix("NIO-ELT") else { continue }
            total += processSeconds("/proc/self/task/\(task)/stat")
        }
        return total
    }
}
