import Foundation
import ModelGraph
import Planner

/// Human-readable plan output: aligned tables, one line per candidate.
enum PlanText {
    static func header(_ inputs: PlanInputs) -> String {
        let sc = inputs.scenario, p = sc.precision
        var slo: [String] = []
        if let t = sc.maxTTFTMs { slo.append("TTFT ≤ \(fmt(t)) ms") }
        if let t = sc.maxTPOTMs { slo.append("TPOT ≤ \(fmt(t)) ms") }
        return "\(inputs.modelName) on \(inputs.cluster.name) (\(inputs.cluster.totalChiplets) chiplets): "
            + "\(sc.inputTokens) → \(sc.outputTokens) tokens, \(sc.mode.rawValue) batching, "
            + "weights \(p.weights.rawValue)" + (p.mlpWeights.map { " (MLP \($0.rawValue))" } ?? "") + ", activations \(p.activations.rawValue), KV \(p.kvCache.rawValue)"
            + (slo.isEmpty ? "" : ", " + slo.joined(separator: ", "))
    }

    static func one(_ e: Evaluation, _ inputs: PlanInputs, plan: Plan? = nil, mapping: String? = nil) -> String {
        var out = [header(inputs)]
        if let reason = e.reason {
            out.append("infeasible: \(reason)")
            if let fix = e.fix { out.append("smallest change: \(fix)") }
            return out.joined(separator: "\n")
        }
        out.append(table([e]))
        if let m = e.metrics, !m.meetsSLO { out.append("misses the SLOs") }
        if let mem = e.memory {
            out.append("memory per chiplet (fullest stage): " + mem.tiers.map {
                "\($0.name) \(gb($0.usedBytes)) of \(gb($0.capacityBytes)) (weights \(gb($0.weightBytes)), KV \(gb($0.kvCacheBytes)))"
            }.joined(separator: "; ") + (mem.weightStationary ? "; weights stay in on-chip memory" : ""))
        }
        if let mapping { out.append("mapping: \(mapping)") }
        out.append("stages: \(e.stageLayers.map(String.init).joined(separator: " + ")) layers")
        if let t = plan?.tilingSummary {
            out.append("tiling: \(t.tiles) tiles per chiplet per pass of stage 0; padding waste "
                + String(format: "%.1f%%", t.paddingWaste * 100)
                + (t.worstOp.map { String(format: " (worst: %@ %.1f%%)", $0, t.worstWaste * 100) } ?? ""))
        }
        return out.joined(separator: "\n")
    }

    static func search(_ r: SearchResult, seconds: Double, inputs: PlanInputs, explain: Bool) -> String {
        var out = [header(inputs),
                   "searched \(r.candidates) candidates in \(String(format: "%.3f", seconds)) s: "
                   + "\(r.illegal) break a rule, \(r.outOfMemory) do not fit, \(r.missedSLO) miss the SLOs"]
        if r.ranked.isEmpty {
            out.append("no candidate fits and meets the SLOs. Most common reasons:")
            out += r.failures.prefix(5).map { "  \($0.count) × \($0.reason)" }
        } else {
            out.append("best:")
            out.append(table(r.ranked))
            // Long fronts are thinned evenly for the terminal; --json lists every point.
            let shown = r.pareto.count <= 12 ? r.pareto
                : (0..<12).map { r.pareto[$0 * (r.pareto.count - 1) / 11] }
            out.append("Pareto front (tokens/s per user against tokens/s per chip)"
                + (shown.count < r.pareto.count ? ", \(shown.count) of \(r.pareto.count) points (--json for all):" : ":"))
            out.append(table(shown))
        }
        if explain { out.append("why:"); out += Planner.explain(r, objective: .throughputPerChip).map { "  " + $0 } }
        return out.joined(separator: "\n")
    }

    static func table(_ rows: [Evaluation]) -> String {
        let head = ["strategy", "batch", "chips", "TTFT ms", "TPOT ms", "tok/s", "tok/s/chip", "tok/s/user", "comm", "bubble"]
        let body: [[String]] = rows.compactMap { e in
            guard let m = e.metrics else { return nil }
            return [e.name, "\(e.candidate.batch)", "\(e.chipsUsed)",
                    fmt(m.ttftMs), fmt(m.tpotMs), fmt(m.outputTokensPerSecond),
                    fmt(m.outputTokensPerSecondPerChip), fmt(m.tokensPerSecondPerUser),
                    pct(m.communicationFraction),
                    pct(m.bubbleFraction)]
        }
        return alignedTable(head, body)
    }
}

/// Columns padded to their widest cell; the first left-aligned, the rest right-aligned.
func alignedTable(_ head: [String], _ rows: [[String]]) -> String {
    let all = [head] + rows
    let widths = head.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
    return all.map { row in
        row.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return c == 0 ? cell + pad : pad + cell
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}
