import CostModel
import Foundation
import Planner

extension Emulation {
    /// What rank 0 says about a `--fail`: where the role went, when it was lost, and the
    /// virtual time the loss cost (detection + weight reload + redo of the step in flight).
    static func failureLines(plan: Plan, failover f: Failover, interruption: Interruption?,
                             figures: [ChipletFigures]) -> [String] {
        let c = plan.chiplets[f.role], h = plan.hierarchy
        let role = "role \(f.role): stage \(c.stage), TP rank \(c.tpRank)" + (plan.strategy.ep > 1 ? ", EP rank \(c.epRank)" : "")
            + ", DP rank \(c.dpRank)"
        func ms(_ s: Double) -> String { String(format: "%.4g ms", s * 1000) }
        guard let cut = interruption else {
            let end = figures.first { $0.chiplet == f.role }.map { max($0.decodeEndS, $0.prefillEndS) } ?? 0
            return ["failure: chiplet \(f.lostChiplet) (\(role)) was to be lost at \(ms(f.atS)), but its role had finished at "
                + "\(ms(end)); nothing was interrupted"]
        }
        let when = cut.step < 0 ? "in prefill" : "in decode step \(cut.step + 1)"
        let from = f.source.map { "from chiplet \($0)" } ?? "from storage"
        var positions = plan.positions
        let before = tpLevel(plan, role: f.role, positions: positions, on: h)
        positions[f.role] = f.spare
        let after = tpLevel(plan, role: f.role, positions: positions, on: h)
        var moved = "failure: chiplet \(f.lostChiplet) (\(role)) lost at \(ms(cut.lostAtS)) \(when); its role moved to spare chiplet \(f.spare)"
        if let before, let after {
            moved += after == before ? " (its TP group stays inside one \(after))" : " (its TP group now inside one \(after), was \(before))"
        }
        return [
            moved,
            "lost \(ms(cut.lostS)) of virtual time on that role: detection \(ms(cut.detectS)) + weight reload \(ms(cut.reloadS)) "
                + String(format: "(%.4g GB %@ across %@)", f.reloadBytes / 1e9, from, h.levels[f.reloadLevel].name)
                + " + redo \(ms(cut.redoS)) of the step in flight",
        ]
    }

    /// The innermost level holding the failed role's TP group, by name (nil at TP 1).
    private static func tpLevel(_ plan: Plan, role: Int, positions: [Int], on h: Hierarchy) -> String? {
        let group = plan.chiplets[role].tpGroup
        guard group.count > 1 else { return nil }
        let level = group.dropFirst().map { h.commonLevel(positions[group[0]], positions[$0]) }.max() ?? 0
        return h.levels[level].name
    }
}
