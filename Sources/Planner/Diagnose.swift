import Foundation
import ClusterSpec
import CostModel
import ModelGraph

extension Evaluator {
    /// "Llama-3-70B at TP 1 × PP 1 needs 141.1 GB of HBM per chip (weights 70.6 GB bf16, KV
    /// cache 64.2 GB at batch 64 × 4352 tokens, …); H100 has 80.0 GB."
    func memoryReason(_ s: Strategy, batch: Int, use: MemoryUse) -> String {
        guard let i = use.overfullTier else { return "" }
        let t = use.tiers[i], sc = inputs.scenario, p = inputs.precision
        let unit = inputs.cluster.chipletsPerChip == 1 ? "chip" : "chiplet"
        var parts: [String] = []
        if t.weightBytes > 0 { parts.append("weights \(gb(t.weightBytes)) \(p.weights.rawValue)") }
        if t.kvCacheBytes > 0 {
            parts.append("KV cache \(gb(t.kvCacheBytes)) \(p.kvCache.rawValue) at batch \(batch) × \(sc.inputTokens + sc.outputTokens) tokens")
        }
        if t.activationBytes > 0 { parts.append("activations \(gb(t.activationBytes))") }
        parts.append("runtime reserve \(gb(t.reserveBytes))")
        return "\(inputs.modelName) at TP \(s.tp) × PP \(s.pp)\(s.ep > 1 ? " × EP \(s.ep)" : "") needs "
            + "\(gb(t.usedBytes)) of \(t.name) per \(unit) (\(parts.joined(separator: ", "))); "
            + "\(inputs.cluster.chiplet.name) has \(gb(t.capacityBytes))"
    }

    /// The smallest single change that makes a candidate fit in memory: more TP, more PP, a
    /// smaller batch or narrower weights, in that order of preference.
    func smallestFix(_ c: Candidate) -> String? {
        var options: [String] = []
        let s = c.strategy
        func fits(_ t: Strategy, _ batch: Int) -> Bool {
            guard illegality(t, batch: batch) == nil else { return false }
            let shard = modelShard(Shard(tp: t.tp, ep: t.ep))
            return stageMemory(t, batch: batch, shard: shard,
                               split: stageSplit(t, batch: batch, shard: shard)).allSatisfy(\.fits)
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
        while batch >= max(1, s.ep) {
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
