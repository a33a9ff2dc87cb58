import Compiler
import Foundation
import Planner

/// The `--passes` table: one row per pass, each figure as before → after (one figure when the pass
/// changed nothing, "skipped" when it did not run).
enum PassTable {
    static func text(_ c: Compilation, plan: Plan) -> String {
        let s = plan.strategy
        var lines = ["passes over \(plan.model) on \(plan.cluster) (\(s.description), batch \(plan.batch)); per layer of the "
            + "commonest layer class, and per decode microbatch on one chiplet of stage 0:"]
        let header = ["pass", "ops/layer", "kernels/layer", "kernels/step", "MB/step", "TPOT ms", "TTFT ms"]
        var rows = [header]
        if let first = c.reports.first {
            let b = first.before
            rows.append(["(lifted)", "\(b.opsPerLayer)", "\(b.kernelsPerLayer)", "\(b.kernelsPerStep)", mb(b.bytesPerStep),
                         ms(b.tpotMs), ms(b.ttftMs)])
        }
        for r in c.reports {
            guard r.ran else { rows.append([r.pass, "skipped", "", "", "", "", ""]); continue }
            func pair(_ f: (GraphStats) -> String) -> String {
                let a = f(r.before), b = f(r.after)
                return a == b ? b : "\(a) → \(b)"
            }
            rows.append([r.pass, pair { "\($0.opsPerLayer)" }, pair { "\($0.kernelsPerLayer)" }, pair { "\($0.kernelsPerStep)" },
                         pair { mb($0.bytesPerStep) }, pair { ms($0.tpotMs) }, pair { ms($0.ttftMs) }])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  "))
        }
        let final = c.reports.last?.after.tpotMs ?? 0
        lines.append("plan's predicted TPOT: \(ms(plan.predicted.tpotMs)) ms"
            + (abs(final - plan.predicted.tpotMs) <= 1e-9 * max(final, 1) ? " (the default pipeline reproduces it)" : ""))
        return lines.joined(separator: "\n")
    }

    static func mb(_ bytes: Double) -> String { String(format: "%.2f", bytes / 1e6) }
    static func ms(_ v: Double) -> String { String(format: "%.3f", v) }
}
