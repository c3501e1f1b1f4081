import CallwardenCore
import CallwardenProtocol
import Foundation

/// The pure decision path of one offered call, without sockets or threads: what callwardend does
/// under its engine lock for a `call.offered` (normalise the caller and the dialed number, find
/// the caller's history, evaluate the policy's rules), with the shipped policy and an in-memory
/// index of callers with history built the way the daemon builds its own. Also the protocol's
/// share of a request: decoding the line and writing the answer.
///
/// Each figure is the best of several rounds (the least disturbed by the other work on a shared
/// machine), in nanoseconds per call.
enum DecisionMicrobench {
    struct Figure {
        var name: String
        var nanoseconds: Double
    }

    static func run(policyPath: String, callersWithHistory: Int, quick: Bool) throws -> [Figure] {
        let text = try String(contentsOfFile: policyPath, encoding: .utf8)
        let policy = try PolicyParser.parse(text, file: policyPath)
        let plan = policy.numbering
        let now = Date().timeIntervalSince1970
        let population = Population(withHistory: callersWithHistory)

        // The index, as HistoryIndex.load leaves it: one CallerHistory per caller with history.
        var histories: [String: CallerHistory] = [:]
        var incidentID: Int64 = 0
        for k in 0..<callersWithHistory {
            var history = CallerHistory()
            for n in 0..<SeedHistory.incidents(ofCaller: k) {
                var mixer = SplitMix64(state: UInt64(k) &* 31 &+ UInt64(n))
                let roll = mixer.next()
                incidentID += 1
                let kind = String(describing: AbuseKinds.pick(roll))
                history.incidents.append(IncidentSummary(id: incidentID, kind: kind, at: now - Double((roll >> 24) % (2 * 365 * 86_400))))
            }
            histories["+44\(population.nationalNumber(population.indexWithHistory(k)))"] = history
        }

        // Callers as switches present them, drawn from the whole population (5% with history).
        var rng = SplitMix64(state: 42)
        let presented: [String] = (0..<8192).map { _ in
            let roll = rng.next()
            var bytes: [UInt8] = []
            bytes.appendCaller(population.nationalNumber(Int((roll >> 20) % UInt64(population.size))), Presentation.pick(roll >> 8))
            return String(decoding: bytes, as: UTF8.self)
        }
        // Spread over the whole index, so lookups miss the cache as they do in the daemon.
        let withHistory: [String] = (0..<16384).map { i in
            "+44\(population.nationalNumber(population.indexWithHistory((i &* 7919) % max(1, callersWithHistory))))"
        }
        let e164 = presented.filter { $0.hasPrefix("+") }
        let national = presented.filter { $0.hasPrefix("0") }
        let sip = presented.filter { $0.hasPrefix("sip:") }
        let dialed = "0800 496 0000"
        let callerCount = histories.count

        var lineBytes: [UInt8] = []
        let lines: [[UInt8]] = (0..<1024).map { n in
            var source = TrafficMix(population: population, abuseShare: 0, connection: 0, seed: UInt64(n))
            lineBytes.removeAll()
            _ = source.next(into: &lineBytes)
            return Array(lineBytes.dropLast())
        }
        let decision = policy.route(CallContext(caller: .known(withHistory[0]), dialed: nil), history: histories[withHistory[0]] ?? CallerHistory(), at: now)

        let iterations = quick ? 100_000 : 400_000
        let rounds = quick ? 3 : 5
        var figures: [Figure] = []
        func measure(_ name: String, _ body: (Int) -> Int) {
            var best = Double.infinity
            for _ in 0..<rounds {
                let start = Monotonic.nanoseconds()
                var sink = 0
                for i in 0..<iterations { sink &+= body(i) }
                let elapsed = Double(Monotonic.nanoseconds() - start) / Double(iterations)
                blackHole(sink)
                best = min(best, elapsed)
            }
            figures.append(Figure(name: name, nanoseconds: best))
        }

        measure("normalise E.164 (+447412345678)") { i in plan.normalise(e164[i % e164.count]).key?.utf8.count ?? 0 }
        measure("normalise national (07412 345678)") { i in plan.normalise(national[i % national.count]).key?.utf8.count ?? 0 }
        measure("normalise SIP URI") { i in plan.normalise(sip[i % sip.count]).key?.utf8.count ?? 0 }
        measure("history lookup in \(callerCount) callers") { i in histories[withHistory[i % withHistory.count]]?.incidents.count ?? 0 }
        measure("route: caller with no history") { i in
            policy.route(CallContext(caller: .known(e164[i % e164.count]), dialed: nil), history: CallerHistory(), at: now).priority
        }
        measure("route: caller with history") { i in
            let key = withHistory[i % withHistory.count]
            return policy.route(CallContext(caller: .known(key), dialed: nil), history: histories[key] ?? CallerHistory(), at: now).priority
        }
        measure("decision per call (normalise caller + dialed, look up, route; 5% with history)") { i in
            let caller = plan.normalise(presented[i % presented.count])
            let context = CallContext(caller: caller, dialed: plan.normalise(dialed).key ?? dialed)
            let history = caller.key.flatMap { histories[$0] } ?? CallerHistory()
            return policy.route(context, history: history, at: now).priority
        }
        measure("protocol: decode a call.offered line") { i in
            RequestDecoder.decode(lines[i % lines.count]).id?.utf8.count ?? 0
        }
        measure("protocol: write a routing answer") { i in
            var writer = JSONWriter()
            writer.field("id", raw: "12345")
            writer.field("ok", true)
            writer.field("route", decision.route.rawValue)
            writer.field("queue", decision.queue)
            writer.field("priority", decision.priority)
            writer.field("rule", decision.rule)
            writer.field("reason", decision.reason)
            writer.object("standing") { object in
                object.field("score", decision.standing.score)
                object.field("incidents", decision.standing.incidents)
            }
            return writer.line().utf8.count
        }
        return figures
    }

    @inline(never)
    static func blackHole(_ value: Int) {
        if value == 0x7FFF_FFFF_FFFF_FFFF { print(value) }
    }
}
