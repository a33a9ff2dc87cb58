import ClusterSpec
import CostModel
import ModelGraph

/// Prefill and decode on separate pools of replicas, with each request's K/V cache sent from the
/// prefill replica to a decode replica (Splitwise, Patel et al. 2024; DistServe, Zhong et al.
/// 2024). Each phase gets the split that suits it, and neither stalls the other.
public struct Disaggregation: Codable, Sendable, Equatable {
    /// One replica of each pool (its `dp` is the number of replicas in the pool).
    public var prefill: Strategy
    public var decode: Strategy
    /// Prompts one prefill replica processes per pass, and sequences in flight per decode replica.
    public var prefillBatch: Int
    public var decodeBatch: Int
    /// Requests per second each pool can take; the smaller bounds the system.
    public var prefillRequestsPerSecond: Double
    public var decodeRequestsPerSecond: Double
    /// Time to move one request's K/V cache between the pools.
    public var kvTransferMs: Double
}

extension Evaluator {
    /// One pool's best replica shapes for one phase.
    struct PoolOption {
        var strategy: Strategy
        var batch: Int
        /// Requests per second one replica completes (prefill) or sustains (decode).
        var requestsPerS: Double
        /// Prefill: the latency of a pass. Decode: the time per output token.
        var latencyS: Double
        /// Fraction of the weight tier's bandwidth the replica uses while busy.
        var bandwidthUtilisation: Double
        var evaluation: Evaluation
    }

    /// Bandwidth use of a pipeline run: bytes per stage per cycle against the weight tier.
    private func bandwidthUse(_ run: (latencyS: Double, cycleS: Double, stage: StageTime, firstHostS: Double), microbatches: Int,
                              stages: Int, memory: [MemoryUse]) -> Double {
        run.stage.bytes * Double(microbatches) / Double(stages) / run.cycleS
            / rates.tiers[memory[0].choice.weights].bytesPerS
    }

    /// The best disaggregated configuration within the SLOs, or nil when none meets them (or the
    /// scenario has a single output token, leaving nothing to decode). Counts evaluations in
    /// `evaluated`.
    func bestDisaggregated(tps: [Int], eps: [Int], batches: [Int], evaluated: inout Int) -> Evaluation? {
        let sc = inputs.scenario
        guard sc.outputTokens >= 2 else { return nil }
        var prefill: [PoolOption] = [], decode: [PoolOption] = []
        for tp in tps { for ep in eps {
            for pp in 1...max(1, min(inputs.model.layerCount, hierarchy.totalChiplets / (tp * ep))) {
                let s = Strategy(tp: tp, pp: pp, dp: 1, ep: ep)
                guard illegality(s, batch: ep) == nil else { continue }
                let shard = modelShard(Shard(tp: tp, ep: ep))
                let groups = groupsOf(s)
                for batch in batches where batch >= ep {
                    evaluated += 2
                    let split = stageSplit(s, batch: batch, shard: shard)
                    let m = microbatches(s, batch: batch)  // prefill and decode alike
                    // Prefill pool: a pass over `batch` prompts, holding only their prompts' K/V.
                    let pPlaced = stageMemories(s, batch: batch, shard: shard, split: split, cachedTokens: sc.inputTokens)
                    let pMemory = pPlaced.stages
                    if pPlaced.allFit {
                        let pass = pipeline(s, shard: shard, groups: groups, split: split, memory: pPlaced,
                                            work: .prefill(sequences: Double(batch) / Double(m), tokens: Double(sc.inputTokens)),
                                            microbatches: m)
                        if sc.maxTTFTMs.map({ pass.latencyS * 1000 + rates.software.frontEndMs <= $0 }) ?? true {
                            keepTop(&prefill, PoolOption(strategy: s, batch: batch, requestsPerS: Double(batch) / pass.cycleS,
                                                      latencyS: pass.latencyS,
                                                      bandwidthUtilisation: bandwidthUse(pass, microbatches: m, stages: pp, memory: pMemory),
                                                      evaluation: Evaluation(candidate: Candidate(strategy: s, batch: batch),
                                                                             chipletsUsed: s.chiplets, chipsUsed: 0,
                                                                             stageLayers: split.layers, memory: pMemory.first)))
                        }
                    }
                    // Decode pool: `batch` sequences at full context, decode steps only.
                    let dPlaced = stageMemories(s, batch: batch, shard: shard, split: split)
                    let dMemory = dPlaced.stages
                    guard dPlaced.allFit else { continue }
                    let step = pipeline(s, shard: shard, groups: groups, split: split, memory: dPlaced,
                                        work: .decode(sequences: Double(batch) / Double(m), context: meanDecodeContext),
                                        microbatches: m)
                    guard sc.maxTPOTMs.map({ step.cycleS * 1000 <= $0 }) ?? true else { continue }
                    keepTop(&decode, PoolOption(strategy: s, batch: batch,
                                             requestsPerS: Double(batch) / step.cycleS / Double(sc.outputTokens - 1),
                                             latencyS: step.cycleS,
                                             bandwidthUtilisation: bandwidthUse(step, microbatches: m, stages: pp, memory: dMemory),
                                             evaluation: Evaluation(candidate: Candidate(strategy: s, batch: batch),
                                                                    chipletsUsed: s.chiplets, chipsUsed: 0,
                                                                    stageLayers: split.layers,
                                                                    memory: dMemory[dPlaced.fullest])))
                }
            }
        } }
        var best: Evaluation? = nil
        for p in prefill { for d in decode {
            guard let e = combine(p, d) else { continue }
            if best.map({ better(e, $0, .throughputPerChip) }) ?? true { best = e }
        } }
        return best
    }

    /// Keeps the four options with the most requests/s per chiplet, best first: each phase is
    /// judged on its own rate, then the leaders are combined. Ties keep the earlier (smaller) one.
    private func keepTop(_ top: inout [PoolOption], _ option: PoolOption) {
        func score(_ o: PoolOption) -> Double { o.requestsPerS / Double(o.strategy.chiplets) }
        let s = score(option)
        guard top.count < 4 || s > score(top[top.count - 1]) else { return }
        let at = top.firstIndex { s > score($0) } ?? top.count
        top.insert(option, at: at)
        if top.count > 4 { top.removeLast() }
    }

    /// Time to move one request's K/V cache (its prompt's) from a prefill replica of `cp`
    /// chiplets to a decode replica of `cd`, over the innermost level that holds both.
    func kvTransferS(prefillChiplets cp: Int, decodeChiplets cd: Int) -> Double {
        let kvBytes = Double(inputs.scenario.inputTokens) * inputs.model.kvCacheBytesPerToken(inputs.precision.kvCache)
        let level = hierarchy.levels.firstIndex { $0.chipletsPerUnit >= cp + cd } ?? (hierarchy.levels.count - 1)
        // Every prefill chiplet sends its shard of the cache at once.
        return hierarchy.levels[level].alphaS + kvBytes / Double(cp) / hierarchy.sharedBytesPerS(level)
    }

    /// Sizes the two pools to balance their request rates within the cluster, and costs the
    /// K/V transfer over the innermost level that holds a replica of each.
    private func combine(_ p: PoolOption, _ d: PoolOption) -> Evaluation? {
        let sc = inputs.scenario, total = hierarchy.totalChiplets
        let cp = p.strategy.chiplets, cd = d.strategy.chiplets
        var bestRate = 0.0, pools = (0, 0)
        var np = 1
        while np * cp + cd <= total {
            let nd = (total - np * cp) / cd
            let rate = min(Double(np) * p.requestsPerS, Double(nd) * d.requestsPerS)
            if rate > bestRate { bestRate = rate; pools = (np, nd) }
            np += 1
        }
        guard bestRate > 0 else { return nil }
        let transferS = kvTransferS(prefillChiplets: cp, decodeChiplets: cd)
        let ttftMs = (p.latencyS + transferS) * 1000 + rates.software.frontEndMs, tpotMs = d.latencyS * 1000
        if let limit = sc.maxTTFTMs, ttftMs > limit { return nil }
        let chiplets = pools.0 * cp + pools.1 * cd
        let cluster = inputs.cluster
        let chips = Double(max(1, (chiplets + cluster.chipletsPerChip - 1) / cluster.chipletsPerChip))
        let tokensPerS = bestRate * Double(sc.outputTokens)
        let share = Double(chiplets) / Double(total)
        let powerKW = cluster.totalPowerW / 1000 * share
        var decodeStrategy = d.strategy
        decodeStrategy.dp = pools.1
        var e = d.evaluation
        e.candidate = Candidate(strategy: decodeStrategy, batch: d.batch)
        e.chipletsUsed = chiplets
        e.chipsUsed = Int(chips)
        e.disaggregation = Disaggregation(
            prefill: Strategy(tp: p.strategy.tp, pp: p.strategy.pp, dp: pools.0, ep: p.strategy.ep),
            decode: decodeStrategy, prefillBatch: p.batch, decodeBatch: d.batch,
            prefillRequestsPerSecond: Double(pools.0) * p.requestsPerS,
            decodeRequestsPerSecond: Double(pools.1) * d.requestsPerS, kvTransferMs: transferS * 1000)
        e.metrics = Metrics(
            ttftMs: ttftMs, tpotMs: tpotMs, outputTokensPerSecond: tokensPerS,
            outputTokensPerSecondPerChip: tokensPerS / chips,
            outputTokensPerSecondPerRack: tokensPerS / (share * Double(max(cluster.racks, 1))),
            outputTokensPerSecondPerKW: powerKW > 0 ? tokensPerS / powerKW : 0,
            tokensPerSecondPerUser: 1 / d.latencyS,
            computeUtilisation: bestRate * (inputs.model.prefillFLOPs(tokens: sc.inputTokens)
                + Double(sc.outputTokens - 1) * inputs.model.decodeFLOPs(context: Int(meanDecodeContext)))
                / (Double(chiplets) * rates.peakFLOPSPerS),
            bandwidthUtilisation: (Double(pools.0 * cp) * p.bandwidthUtilisation + Double(pools.1 * cd) * d.bandwidthUtilisation)
                / Double(chiplets),
            bubbleFraction: 0,
            communicationFraction: transferS / (p.latencyS + transferS),
            meetsSLO: true)
        return e
    }
}
