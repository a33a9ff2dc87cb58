import Foundation
import ClusterSpec
import CostModel
import ModelGraph

extension Evaluator {
    /// What the first overfull tier of `use` would hold, or nil when everything fits.
    func memoryShortfall(_ s: Strategy, batch: Int, use: MemoryUse) -> Infeasibility.MemoryShortfall? {
        guard let i = use.overfullTier else { return nil }
        let t = use.tiers[i], sc = inputs.scenario
        return .init(model: inputs.modelName, strategy: s, tier: t.name,
                     unit: inputs.cluster.chipletsPerChip == 1 ? "chip" : "chiplet", chipName: inputs.cluster.chiplet.name,
                     usedBytes: t.usedBytes, capacityBytes: t.capacityBytes, weightBytes: t.weightBytes,
                     kvCacheBytes: t.kvCacheBytes, activationBytes: t.activationBytes, reserveBytes: t.reserveBytes,
                     precision: inputs.precision, batch: batch, tokensPerSequence: sc.inputTokens + sc.outputTokens)
    }

    /// The smallest single change that makes a candidate fit in memory: more TP, more PP, a
    /// smaller batch or narrower weights, in that order of preference.
    func smallestFix(_ c: Candidate) -> String? {
        var options: [String] = []
        let s = c.strategy
        func fits(_ t: Strategy, _ batch: Int) -> Bool {
            guard illegality(t, batch: batch) == nil else { return false }
            let shard = modelShard(Shard(tp: t.tp, ep: t.ep))
            return stageMemories(t, batch: batch, shard: shard, split: stageSplit(t, batch: batch, shard: shard)).allFit
        }
        var t = s
        while t.tp * 2 * t.pp * t.ep * t.dp <= hierarchy.totalChiplets {
            t.tp *= 2
            if illegality(t, batch: c.batch) != nil { break }
            if fits(t, c.batch) { options.append("TP \(t.tp)"); break }
        }
        t = s
        while t.pp * 2 <= inputs.model.layerCount, t.chiplets * 2 <= hierarchy.totalChiplets {
            t.pp *= 2
            if fits(t, c.batch) { options.append("PP \(t.pp)"); break }
        }
        var batch = c.batch / 2
        while batch >= 1 {
            if fits(s, batch) { options.append("batch \(batch)"); break }
            batch /= 2
        }
        if options.isEmpty { return nil }
        return "fits with " + options.joined(separator: ", or ")
    }
}

/// Decimal gigabytes with one decimal, as memory is sold (megabytes below 1 GB, for SRAM).
public func gb(_ bytes: Double) -> String {
    bytes < 1e9 ? String(format: "%.1f MB", bytes / 1e6) : String(format: "%.1f GB", bytes / 1e9)
}
