import Foundation
import ModelGraph
import Planner
import Runtime

/// What `tessera plan --precision auto` prints: each layer class alone, the speed/accuracy
/// frontier, and the choice.
enum PrecisionText {
    static func report(_ s: PrecisionSelection, strategy: Strategy, model: String, budget: Double) -> String {
        var out = ["precision auto: max relative logit error ≤ \(fmt(budget)) against FP32, measured on \(model) "
            + "in numeric mode (fixed token set, every position); speed predicted for \(strategy)", "",
                   "each layer class alone (the others FP32):"]
        var rows = [["class", "format", "max rel. error", "mean rel. error", "top-1", "KL nats"]]
        for (c, f, a) in s.perClass {
            rows.append([c.rawValue, f.rawValue] + accuracyCells(a))
        }
        out += ClusterReport.table(rows)
        out.append("")
        out.append("speed/accuracy frontier (\(s.frontier.count) of \(s.combinations) combinations"
            + (s.infeasible > 0 ? ", \(s.infeasible) cannot run on this cluster" : "") + "; fastest first):")
        rows = [["attention", "MLP", "KV cache", "tokens/s", "est. error", "max rel. error", "mean rel. error", "top-1", "KL nats", ""]]
        for p in s.frontier {
            let q = p.quantisation
            let cells = p.accuracy.map(accuracyCells) ?? ["not measured", "", "", ""]
            let mark = p.quantisation == s.chosen?.quantisation ? "← chosen"
                : p.accuracy.map { $0.maxRelativeError > budget ? "over budget" : "" } ?? ""
            rows.append([q.attentionWeights.rawValue, q.mlpWeights.rawValue, q.kvCache.rawValue,
                         String(format: "%.5g", p.tokensPerSecond), String(format: "%.3g", p.estimatedError)] + cells + [mark])
        }
        out += ClusterReport.table(rows)
        out.append("")
        if let c = s.chosen {
            let q = c.quantisation
            out.append("chosen: attention weights \(q.attentionWeights.rawValue), MLP weights \(q.mlpWeights.rawValue), "
                + "KV cache \(q.kvCache.rawValue), activations \(q.activations.rawValue)")
        } else {
            out.append("no combination keeps the max relative logit error within \(fmt(budget)); "
                + "the most accurate measured: " + (s.frontier.compactMap(\.accuracy).map(\.maxRelativeError).min().map { String(format: "%.3g", $0) } ?? "none"))
        }
        return out.joined(separator: "\n")
    }

    static func accuracyCells(_ a: LogitAccuracy) -> [String] {
        [String(format: "%.3g", a.maxRelativeError), String(format: "%.3g", a.meanRelativeError),
         String(format: "%.1f%%", a.top1Agreement * 100), String(format: "%.3g", a.klDivergence)]
    }

    static func fmt(_ v: Double) -> String { String(format: "%g", v) }
}
