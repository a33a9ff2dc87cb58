import CostModel
import Foundation
import Planner

/// `--fail CHIPLET@TIME`: the chiplet is lost at that virtual time.
public struct FailureSpec: Sendable, Equatable {
    public var chiplet: Int
    public var atS: Double
    /// From the loss to the spare starting: a missed heartbeat and the decision to re-place.
    public var detectS: Double

    public init(chiplet: Int, atS: Double, detectS: Double = 0.010) {
        self.chiplet = chiplet; self.atS = atS; self.detectS = detectS
    }

    /// "5@2ms", "17@1.5s", "3@250us": a chiplet id and a time with its unit.
    public static func parse(_ text: String) throws(FailoverError) -> FailureSpec {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2, let chiplet = Int(parts[0]), chiplet >= 0 else {
            throw FailoverError(description: "--fail: expected CHIPLET@TIME such as 5@2ms, got \"\(text)\"")
        }
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1)]
        guard let (unit, scale) = units.first(where: { parts[1].hasSuffix($0.0) }),
              let value = Double(parts[1].dropLast(unit.count)), value.isFinite, value >= 0, value * scale <= 86_400 else {
            throw FailoverError(description: "--fail: expected a time from 0 to 86400 s with its unit (2ms, 250us, 1.5s), got \"\(parts[1])\"")
        }
        return FailureSpec(chiplet: chiplet, atS: value * scale)
    }
}

/// A failure that cannot be emulated: one line naming the chiplet and why.
public struct FailoverError: Error, CustomStringConvertible, Equatable {
    public var description: String
}

/// What losing a chiplet costs, worked out alike on every rank before the run (no messages).
/// The role moves to the nearest spare (`Placer.spare`, the placement's own search); the spare
/// reloads the role's weights from the nearest chiplet that holds the same shard (the same role
/// in another data-parallel replica), else from storage over the outermost link; then it redoes
/// the compute of the step in flight. The rank that emulated the lost chiplet stands in for the
/// spare: its program stays, its position (and so its links) changes from the loss on.
public struct Failover: Sendable, Equatable {
    public var role: Int
    public var lostChiplet: Int
    public var spare: Int
    public var atS: Double
    public var detectS: Double
    public var reloadBytes: Double
    /// Where the weights come from; nil: storage.
    public var source: Int?
    /// The level whose link the reload crosses.
    public var reloadLevel: Int
    public var reloadS: Double

    /// Checks the failure against the plan and works out its cost.
    public static func make(plan: Plan, spec: FailureSpec, oneReplica: Bool) throws(FailoverError) -> Failover {
        let positions = plan.positions, h = plan.hierarchy
        guard let role = positions.firstIndex(of: spec.chiplet) else {
            throw FailoverError(description: "--fail: chiplet \(spec.chiplet) holds no role of this plan "
                + "(its \(positions.count) roles run on \(ChipletSet(ids: positions, count: h.totalChiplets).text))")
        }
        if oneReplica && plan.chiplets[role].dpRank != 0 {
            throw FailoverError(description: "--fail: chiplet \(spec.chiplet) runs a role of replica \(plan.chiplets[role].dpRank), which --one-replica does not emulate")
        }
        var usable = [Bool](repeating: true, count: h.totalChiplets)
        if let p = plan.placement {
            // Validated when the plan was loaded.
            let free = (try? ChipletSet.parse(p.available, count: h.totalChiplets, what: "placement.available"))
                ?? ChipletSet(all: h.totalChiplets)
            let channels = (try? ChipletSet.parse(p.availableChannels, count: h.totalChiplets / p.chipletsPerChannel,
                                                  what: "placement.availableChannels")) ?? ChipletSet(all: h.totalChiplets)
            usable = usable.indices.map { free.contains[$0] && channels.contains[min($0 / p.chipletsPerChannel, channels.contains.count - 1)] }
        }
        for p in positions { usable[p] = false }
        guard let spare = Placer.spare(near: spec.chiplet, on: h, usable: usable) else {
            throw FailoverError(description: "--fail: no spare chiplet for chiplet \(spec.chiplet)'s role: the plan's \(positions.count) roles "
                + "fill every free chiplet of the \(h.totalChiplets); place it with spares (tessera place) or plan it smaller")
        }
        let me = plan.chiplets[role]
        let holders = plan.chiplets.filter {
            $0.index != role && $0.stage == me.stage && $0.tpRank == me.tpRank && $0.epRank == me.epRank
        }
        let source = holders.min { (h.commonLevel(positions[$0.index], spare), $0.index) < (h.commonLevel(positions[$1.index], spare), $1.index) }
        let level = source.map { h.commonLevel(positions[$0.index], spare) } ?? h.levels.count - 1
        let bytes = weightBytes(plan, stage: me.stage)
        return Failover(role: role, lostChiplet: spec.chiplet, spare: spare, atS: spec.atS, detectS: spec.detectS,
                        reloadBytes: bytes, source: source.map { positions[$0.index] }, reloadLevel: level,
                        reloadS: h.pointToPointS(bytes: bytes, level: level))
    }

    /// Weights one chiplet of `stage` holds: its layers' shards, and the embedding or LM head
    /// on the end stages.
    static func weightBytes(_ plan: Plan, stage: Int) -> Double {
        var ops = plan.stages[stage].layerClasses.flatMap { $0 < plan.layerClasses.count ? plan.layerClasses[$0].ops : [] }
        if stage == 0 { ops += plan.head.ops }
        if stage == plan.stages.count - 1 { ops += plan.tail.ops }
        return ops.reduce(0) { $0 + $1.weightBytes }
    }
}

/// The interruption one chiplet's run saw (on the rank that stood in for the spare).
public struct Interruption: Sendable, Equatable {
    /// Clock when the loss was seen: the first instruction boundary at or after the failure time.
    public var lostAtS: Double
    public var detectS: Double
    public var reloadS: Double
    /// Compute of the in-flight step done before the loss, done again.
    public var redoS: Double
    /// The step in flight: −1 prefill, else the decode step.
    public var step: Int
    public var lostS: Double { detectS + reloadS + redoS }
}
