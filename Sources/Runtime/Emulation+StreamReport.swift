import Foundation
import Planner

/// A request stream's outcome, gathered on rank 0.
public struct StreamResult: Sendable {
    public var records: [RequestRecord]
    /// (time, queued, running, K/V tokens reserved) at each iteration start, per replica.
    public var queue: [(replica: Int, timeS: Double, waiting: Int, running: Int, kvTokens: Int)]
    /// Virtual time of the last token.
    public var makespanS: Double
    /// Disaggregated plans: K/V cache bytes the decode pool took in from the prefill pool.
    public var kvHandOffBytes = 0.0

    /// The q-quantile (nearest rank) of `values`, nil when empty.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    public var ttftsS: [Double] { records.compactMap(\.ttftS) }
    public var tpotsS: [Double] { records.compactMap(\.tpotS) }

    /// Requests served within the SLOs (no SLO: every served request), per second of the run.
    public func goodput(maxTTFTMs: Double?, maxTPOTMs: Double?) -> (requests: Int, perS: Double) {
        let good = records.filter { r in
            guard let ttft = r.ttftS else { return false }
            return (maxTTFTMs.map { ttft * 1000 <= $0 } ?? true) && (maxTPOTMs.map { (r.tpotS ?? 0) * 1000 <= $0 } ?? true)
        }.count
        return (good, makespanS > 0 ? Double(good) / makespanS : 0)
    }

    /// One row per request, in id order.
    public var csv: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.9f", $0) } ?? "" }
        var lines = ["id,replica,arrival_s,input_tokens,output_tokens,admitted_s,first_token_s,last_token_s,ttft_s,tpot_s"]
        for r in records.sorted(by: { $0.id < $1.id }) {
            lines.append("\(r.id),\(r.replica),\(f(r.arrivalS)),\(r.inputTokens),\(r.outputTokens),\(f(r.admittedS)),"
                + "\(f(r.firstTokenS)),\(f(r.lastTokenS)),\(f(r.ttftS)),\(f(r.tpotS))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Emulation {
    static func gatherStream(plan: Plan, fabric: Fabric, options: EmulationOptions, executor: Executor,
                             records: [RequestRecord], queue: [(timeS: Double, waiting: Int, running: Int, kvTokens: Int)],
                             replicaOfRank: [Int]) throws -> EmulationResult? {
        var w = FloatWriter()
        for r in records {
            w.put(r.id); w.put(r.replica); w.put(r.arrivalS); w.put(r.inputTokens); w.put(r.outputTokens)
            for v in [r.admittedS, r.firstTokenS, r.lastTokenS, r.prefillEndS] { w.put(v ?? .nan) }
        }
        var q = FloatWriter()
        for e in queue { q.put(e.timeS); q.put(e.waiting); q.put(e.running); q.put(e.kvTokens) }
        let mine = FloatFrames.join([executor.figures.encoded(), w.floats, q.floats])
        guard let parts = try fabric.gatherToRoot(mine, tag: Int(Purpose.result.tagBase), what: "results") else { return nil }
        var figures: [ChipletFigures] = [], all: [RequestRecord] = []
        var trace: [(replica: Int, timeS: Double, waiting: Int, running: Int, kvTokens: Int)] = []
        for (rank, part) in parts.enumerated() {
            let fields = try FloatFrames.split(part, count: 3, source: rank)
            figures.append(try ChipletFigures(decoding: fields[0]))
            var r = FloatReader(fields[1])
            func optional(_ v: Double) -> Double? { v.isNaN ? nil : v }
            while r.at < fields[1].count {
                let id = try r.int(), replica = try r.int(), arrival = try r.double(), input = try r.int(), output = try r.int()
                let admitted = try r.double(), first = try r.double(), last = try r.double(), prefillEnd = try r.double()
                all.append(RequestRecord(id: id, replica: replica, arrivalS: arrival, inputTokens: input, outputTokens: output,
                                         admittedS: optional(admitted), firstTokenS: optional(first), lastTokenS: optional(last),
                                         prefillEndS: optional(prefillEnd), frontEndS: (plan.software?.frontEndMs ?? 0) / 1000))
            }
            var qr = FloatReader(fields[2])
            let replica = rank < replicaOfRank.count ? replicaOfRank[rank] : 0
            while qr.at < fields[2].count {
                trace.append((replica, try qr.double(), try qr.int(), try qr.int(), try qr.int()))
            }
        }
        let stream = StreamResult(records: all.sorted { $0.id < $1.id }, queue: trace.sorted { ($0.timeS, $0.replica) < ($1.timeS, $1.replica) },
                                  makespanS: all.compactMap(\.lastTokenS).max() ?? 0,
                                  kvHandOffBytes: figures.reduce(0) { $0 + $1.kvHandOffBytes })
        let ttft = StreamResult.quantile(stream.ttftsS, 0.5) ?? 0, tpot = StreamResult.quantile(stream.tpotsS, 0.5) ?? 0
        var result = EmulationResult(ttftMs: ttft * 1000, tpotMs: tpot * 1000,
                                     outputTokensPerSecond: stream.makespanS > 0
                                         ? Double(all.filter { $0.lastTokenS != nil }.reduce(0) { $0 + $1.outputTokens }) / stream.makespanS : 0,
                                     predicted: plan.predicted, messages: figures.reduce(0) { $0 + $1.messages },
                                     bytes: figures.reduce(0) { $0 + $1.bytes }, maxRelativeError: nil, notes: [], report: "",
                                     stream: stream)
        result.notes = streamNotes(plan: plan, result: result, stream: stream, figures: figures)
        result.report = streamReport(plan: plan, result: result, stream: stream, options: options, ranks: figures.count)
        return result
    }

    /// Why the stream's p50 TTFT or TPOT differs from the prediction by more than 5%, from what
    /// the run saw: requests queued for admission, iterations shared by several requests,
    /// messages queued behind busy ports, the device waiting for the host. The planner's figure
    /// is one batch of the plan's size with no queue in front, so each of these is an effect it
    /// leaves out.
    static func streamNotes(plan: Plan, result: EmulationResult, stream: StreamResult, figures: [ChipletFigures]) -> [String] {
        let served = stream.records.filter { $0.admittedS != nil }
        let queuedMs = served.isEmpty ? 0 : served.reduce(0) { $0 + ($1.admittedS ?? $1.arrivalS) - $1.arrivalS } / Double(served.count) * 1000
        let peak = stream.queue.map(\.waiting).max() ?? 0
        let running = stream.queue.isEmpty ? 0 : Double(stream.queue.reduce(0) { $0 + $1.running }) / Double(stream.queue.count)
        // Per iteration of one replica, averaged over the chiplets.
        let perIteration = Double(max(1, stream.queue.count)) / Double(max(1, Set(stream.queue.map(\.replica)).count))
        let n = Double(max(1, figures.count))
        let contentionMs = figures.reduce(0) { $0 + $1.queuedS.reduce(0, +) } / n / perIteration * 1000
        let hostMs = figures.reduce(0) { $0 + $1.hostWaitS.reduce(0, +) } / n / perIteration * 1000
        let collectiveMs = figures.reduce(0) { sum, f in
            sum + [Phase.prefill, .decode].reduce(0) { $0 + f.idleS[ChipletFigures.slot($1, .allReduceTP)] + f.idleS[ChipletFigures.slot($1, .allToAllEP)] }
        } / n / perIteration * 1000
        var notes: [String] = []
        for (name, emulated, predicted) in [("TTFT", result.ttftMs, plan.predicted.ttftMs), ("TPOT", result.tpotMs, plan.predicted.tpotMs)] {
            let d = percent(emulated, predicted)
            guard abs(d) > 5 else { continue }
            var why = String(format: "%@ p50 %+.1f%% against the prediction:", name, d)
            var effects: [String] = []
            if name == "TTFT" && queuedMs > 0.001 {
                effects.append(String(format: "queueing: requests waited %.4g ms on average for admission (at most %d waiting), which the planner's TTFT leaves out (it has no queue)", queuedMs, peak))
            }
            if running > 1.05 {
                effects.append(String(format: "batching: iterations ran %.3g requests on average, prompt chunks beside decodes, where the planner prices a batch of %d in step", running, plan.batch))
            }
            effects.append(contentionMs > 1e-6
                ? String(format: "contention: messages queued %.4g ms per iteration behind busy link ports", contentionMs)
                : "no message queued behind another (no contention)")
            if collectiveMs > 1e-6 {
                effects.append(String(format: "collectives: a chiplet waited %.4g ms per iteration in collective steps, run over the link model where the planner takes measured collective tables or its closed form", collectiveMs))
            }
            if let a2a = allToAllNote(plan, name == "TTFT" ? .prefill : .decode) { effects.append(a2a) }
            if name == "TTFT", let pools = plan.disaggregation {
                let moved = stream.records.filter { $0.prefillEndS != nil && $0.firstTokenS != nil }
                let ms = moved.isEmpty ? 0 : moved.reduce(0) { $0 + ($1.firstTokenS ?? 0) - ($1.prefillEndS ?? 0) } / Double(moved.count) * 1000
                effects.append(String(format: "K/V hand-off: %.4g ms from the end of prefill to the last shard in, against the planner's %.4g ms", ms, pools.predictedKVTransferMs))
            }
            if hostMs > 1e-6 {
                effects.append(String(format: "the device waited %.4g ms per iteration for the host (a request arriving at an idle engine is prepared in series)", hostMs))
            }
            why += " " + effects.joined(separator: "; ")
            notes.append(why)
        }
        return notes
    }

    static func streamReport(plan: Plan, result: EmulationResult, stream: StreamResult, options: EmulationOptions,
                             ranks: Int) -> String {
        let served = stream.records.filter { $0.lastTokenS != nil }.count
        let limits = streamLimits(plan, options)
        var lines = [
            "emulated \(ranks) chiplets of \(plan.model) on \(plan.cluster) (\(plan.strategy)) serving \(stream.records.count) requests"
                + " (\(served) served), continuous batching: token budget \(limits.tokenBudget), at most \(limits.maxRunning) running,"
                + " K/V for \(limits.kvCapacityTokens) tokens per replica",
            String(format: "%d messages, %.4g MB, last token at %.4g s (virtual)", result.messages, result.bytes / 1e6, stream.makespanS),
        ]
        if let pools = plan.disaggregation {
            let prefill = pools.prefill.plan
            let moved = stream.records.filter { $0.prefillEndS != nil && $0.firstTokenS != nil }
            let meanMs = moved.isEmpty ? 0 : moved.reduce(0) { $0 + ($1.firstTokenS ?? 0) - ($1.prefillEndS ?? 0) } / Double(moved.count) * 1000
            lines.append("disaggregated: prefill pool \(prefill.strategy) on chiplets 0-\(prefill.chiplets.count - 1), decode pool "
                + "\(plan.strategy) on chiplets \(pools.decodeFirstChiplet)-\(pools.decodeFirstChiplet + plan.chiplets.count - 1)")
            lines.append(String(format: "K/V hand-off: %d requests, %.0f bytes moved from the prefill pool to the decode pool; "
                + "%.4g ms on average from the end of prefill to the last shard in (the planner charges %.4g ms)",
                moved.count, stream.kvHandOffBytes, meanMs, pools.predictedKVTransferMs))
        }
        lines += ["", "              p50          p90          p99          predicted"]
        for (name, values, predicted) in [("TTFT ms", stream.ttftsS, plan.predicted.ttftMs), ("TPOT ms", stream.tpotsS, plan.predicted.tpotMs)] {
            let cells = [0.5, 0.9, 0.99].map { q in StreamResult.quantile(values, q).map { String(format: "%.5g", $0 * 1000) } ?? "-" }
                + [String(format: "%.5g", predicted)]
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                + cells.map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        let sc = plan.scenario
        let good = stream.goodput(maxTTFTMs: sc.maxTTFTMs, maxTPOTMs: sc.maxTPOTMs)
        lines.append("")
        lines.append(String(format: "goodput %d of %d requests within the SLOs (TTFT ≤ %@ ms, TPOT ≤ %@ ms): %.4g requests/s; %.5g output tokens/s",
                            good.requests, stream.records.count, sc.maxTTFTMs.map { String(format: "%g", $0) } ?? "any",
                            sc.maxTPOTMs.map { String(format: "%g", $0) } ?? "any", good.perS, result.outputTokensPerSecond))
        let peak = stream.queue.map(\.waiting).max() ?? 0
        let points = stride(from: 0, to: stream.queue.count, by: max(1, stream.queue.count / 8)).map { stream.queue[$0] }
        lines.append("queue: at most \(peak) waiting; " + points.map { String(format: "%.3g s: %d waiting, %d running", $0.timeS, $0.waiting, $0.running) }
            .joined(separator: "; "))
        if !result.notes.isEmpty {
            lines.append("")
            lines += result.notes.map { "note: " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
