import ClusterSpec
@testable import CostModel
import ModelGraph
@testable import Planner
import Testing

/// Tiling, tier placement and pipeline timing, each checked against figures worked by hand.
@Suite struct HandWorkedTests {
    /// K 4,096 × N 1,000 of a TP-4 shard (full N 4,000), one byte a weight and an activation, one
    /// row, a 2 MiB buffer (1 MiB per tile, the rest double-buffers): 4,096 × 1,024 halves on the
    /// longer edge to 2,048 × 1,024, then 1,024 × 1,024 (1,048,576 B of weights + 2,048 B of rows:
    /// just over), then 512 × 1,024, which fits. 8 × 1 tiles; padding 4,096 · 1,024 / (4,096 ·
    /// 1,000) − 1 = 2.4%.
    @Test func tilingHalvesTheLongerEdgeUntilATileFits() {
        let t = tile(k: 4096, n: 1000, fullN: 4000, tp: 4, rows: 1, weightBytes: 1, activationBytes: 1,
                     bufferBytes: 2 * 1_048_576)
        #expect(t.tileK == 512 && t.tileN == 1024 && t.tiles == 8)
        #expect(abs(t.paddingWaste - 0.024) < 1e-12)
    }

    /// SRAM 200 MB over DRAM 1 GB, 5% of each held back. 100 MB of weights and 10 MB of
    /// activations leave 80 MB of SRAM, so 50 MB of K/V stays on chip too, weight-stationary;
    /// 190 MB of weights do not fit the 180 MB left, so they and the K/V stream from DRAM.
    @Test func tierPlacementKeepsWeightsOnChipWhileTheyFit() {
        let tiers = [ChipletRates.Tier(name: "SRAM", level: "chiplet", capacityBytes: 200e6, bytesPerS: 1e13),
                     ChipletRates.Tier(name: "DRAM", level: "card", capacityBytes: 1e9, bytesPerS: 1e11)]
        let fits = placeMemory(weights: 100e6, kvCache: 50e6, activations: 10e6, tiers: tiers)
        #expect(fits.choice == TierChoice(weights: 0, kvCache: 0, activations: 0))
        #expect(fits.weightStationary && fits.fits)
        #expect(fits.tiers[0].usedBytes == 100e6 + 50e6 + 10e6 + 10e6)
        let streams = placeMemory(weights: 190e6, kvCache: 50e6, activations: 10e6, tiers: tiers)
        #expect(streams.choice == TierChoice(weights: 1, kvCache: 1, activations: 0))
        #expect(!streams.weightStationary)
        #expect(streams.tiers[1].usedBytes == 190e6 + 50e6 + 50e6)
    }

    /// GB200's Grace host runs the serving stack's host work at `host.relativeSpeed` of the x86
    /// servers: the profile's per-request, per-step and eager-launch costs are divided by it.
    @Test func hostSpeedScalesTheHostSideCosts() throws {
        let gb200 = try ClusterSpec.load(path: Repo.cluster("gb200-nvl72"))
        let sw = SoftwareProfile(name: "t", kernelLaunchUs: 20, stepOverheadUs: 100, requestOverheadUs: 25)
        let rates = try ChipletRates(cluster: gb200, precision: Precision(.fp8), software: sw)
        #expect(gb200.hostSpeed == 0.5204)
        #expect(rates.software.requestOverheadUs == 25 / 0.5204)
        #expect(rates.software.stepOverheadUs == 100 / 0.5204)
        #expect(rates.software.kernelLaunchUs == 20 / 0.5204)
        let x86 = try ChipletRates(cluster: try ClusterSpec.load(path: Repo.cluster("hgx-b200")), precision: Precision(.fp8), software: sw)
        #expect(x86.software.requestOverheadUs == 25)
    }

    /// 150 MB of weights and 10 MB of activations leave 30 MB of the SRAM: 30 MB of a 50 MB K/V
    /// cache stays there and 20 MB overflows to DRAM. On a Corsair chiplet (SRAM 18.75 TB/s,
    /// its eighth of the card's LPDDR 400 GB/s × 0.9 = 45 GB/s) reading 1 MB of that cache takes
    /// the slower of 0.6 MB from SRAM (32 ns) and 0.4 MB from LPDDR (8.89 µs).
    @Test func kvCacheOverflowsToTheNextTierInPart() throws {
        let tiers = [ChipletRates.Tier(name: "SRAM", level: "chiplet", capacityBytes: 200e6, bytesPerS: 1e13),
                     ChipletRates.Tier(name: "DRAM", level: "card", capacityBytes: 1e9, bytesPerS: 1e11)]
        let split = placeMemory(weights: 150e6, kvCache: 50e6, activations: 10e6, tiers: tiers)
        #expect(split.choice == TierChoice(weights: 0, kvCache: 0, activations: 0, kvInnerShare: 0.6))
        #expect(split.tiers.map(\.kvCacheBytes) == [30e6, 20e6])
        #expect(split.fits && split.weightStationary)
        let corsair = try ChipletRates(cluster: try ClusterSpec.load(path: Repo.cluster("corsair-rack")), precision: Precision(.mxint8))
        #expect(abs(corsair.kvReadS(bytes: 1e6, tiers: split.choice) - 0.4e6 / 45e9) < 1e-15)
        #expect(abs(corsair.kvReadS(bytes: 1e6, tiers: TierChoice(weights: 0, kvCache: 0, activations: 0)) - 1e6 / 18.75e12) < 1e-15)
    }

    /// Tiny-llama at PP 2 with 2 microbatches, no software costs: one microbatch's trip is both
    /// stages plus one send, the last microbatch is out one pace later (the pace is the slower
    /// stage, or the send: sends overlap the next microbatch), and a cycle is 2 paces, or the
    /// trip when that is longer.
    @Test func pipelineLatencyAndCycleFromItsStages() throws {
        let e = try Evaluator(PlanInputs(modelName: "tiny-llama", model: try ModelGraph.load(path: Repo.workload("tiny-llama")),
                                         cluster: try ClusterSpec.load(path: Repo.cluster("dgx-a100")),
                                         scenario: Scenario(inputTokens: 128, outputTokens: 32, batch: 8), software: .bare))
        let s = Strategy(tp: 1, pp: 2)
        let shard = e.modelShard(Shard(tp: 1))
        let split = e.stageSplit(s, batch: 8, shard: shard)
        let memory = e.stageMemory(s, batch: 8, shard: shard, split: split)
        let work = Work.decode(sequences: 4, context: 144)
        let groups = e.groupsOf(s)
        let hidden = work.tokens * shard.hiddenBytesPerToken
        func stage(_ i: Int) -> Double {
            var t = 0.0
            for (c, n) in split.classCounts[i].enumerated() where n > 0 {
                t += Double(n) * e.layerTime(shard.classes[c], id: c, s, groups: groups, work: work,
                                             tiers: memory[i].choice, hiddenBytes: hidden, dispatchBytes: hidden).totalS
            }
            let end = i == 0 ? shard.head : shard.tail
            return t + e.layerTime(end, id: i == 0 ? -1 : -2, s, groups: groups, work: work, tiers: memory[i].choice,
                                   hiddenBytes: hidden, dispatchBytes: hidden).totalS
        }
        let send = e.hierarchy.pointToPointS(bytes: hidden, stride: s.stride(.pp))
        let p = e.pipeline(s, shard: shard, groups: groups, split: split,
                           memory: e.stageMemories(s, batch: 8, shard: shard, split: split), work: work, microbatches: 2)
        let latency = stage(0) + stage(1) + send, pace = max(stage(0), stage(1), send)
        #expect(abs(p.stage.totalS - latency) < 1e-15)
        // The last of the 2 microbatches is out one pace after the first.
        #expect(abs(p.latencyS - (latency + pace)) < 1e-15)
        #expect(abs(p.cycleS - max(2 * pace, latency)) < 1e-15)
    }

    /// Hidden states travel in 16 bits whatever the activation format (it quantises GEMM inputs
    /// only); an MoE layer's dispatch goes quantised, its combine in 16 bits.
    @Test func hiddenStatesTravelIn16BitsAndDispatchQuantised() throws {
        let e = try Evaluator(PlanInputs(modelName: "tiny-moe", model: try ModelGraph.load(path: Repo.workload("tiny-moe")),
                                         cluster: try ClusterSpec.load(path: Repo.cluster("dgx-h100")),
                                         scenario: Scenario(inputTokens: 128, outputTokens: 32, batch: 8,
                                                            precision: Precision(.fp8)), software: .bare))
        let shard = e.modelShard(Shard(tp: 1, ep: 2))
        #expect(shard.hiddenBytesPerToken == 256 * 2)
        #expect(shard.dispatchBytesPerToken == 256 * 1)
        let s = Strategy(ep: 2), groups = e.groupsOf(s)
        let work = Work.decode(sequences: 8, context: 144)
        let layer = shard.classes[0]
        #expect(layer.epAllToAlls == 2 && layer.routedTopK == 2)
        let hidden = work.tokens / 2 * 512, dispatch = work.tokens / 2 * 256
        let choice = e.stageMemory(s, batch: 8, shard: shard, split: e.stageSplit(s, batch: 8, shard: shard))[0].choice
        let t = e.layerTime(layer, id: 0, s, groups: groups, work: work, tiers: choice, hiddenBytes: hidden, dispatchBytes: dispatch)
        let allToAll = { (bytes: Double) in e.collectiveS(.allToAll, bytes: bytes, group: groups.ep, prefillShare: 0) }
        #expect(t.commS == allToAll(dispatch * 2) + allToAll(hidden * 2))
        #expect(allToAll(dispatch * 2) < allToAll(hidden * 2))
    }
}
