import ClusterSpec
import CostModel
import ModelGraph

/// The collectives and sends of one strategy on the hierarchy: where its TP and EP groups sit
/// and which level a pipeline send crosses (nil: one stage, or no link between stages).
public struct Groups: Sendable {
    public let tp: GroupShape
    public let ep: GroupShape
    public let ppLevel: Int?

    /// The planner's ideal layout (role i on chiplet i).
    init(_ s: Strategy, _ h: Hierarchy) {
        tp = GroupShape(stride: s.stride(.tp), size: s.tp, in: h)
        ep = GroupShape(stride: s.stride(.ep), size: s.ep, in: h)
        ppLevel = s.pp > 1 ? h.crossingLevel(stride: s.stride(.pp)) : nil
    }

    /// Groups as a placement put them (`Placer.groups`).
    public init(tp: GroupShape, ep: GroupShape, ppLevel: Int?) {
        self.tp = tp; self.ep = ep; self.ppLevel = ppLevel
    }
}

/// Time of one microbatch in one stage, split into compute and communication.
struct StageTime {
    var computeS = 0.0
    var commS = 0.0
    var flops = 0.0
    var bytes = 0.0
    var totalS: Double { computeS + commS }

    static func += (a: inout StageTime, b: StageTime) {
        a.computeS += b.computeS; a.commS += b.commS; a.flops += b.flops; a.bytes += b.bytes
    }
    static func * (a: StageTime, n: Double) -> StageTime {
        StageTime(computeS: a.computeS * n, commS: a.commS * n, flops: a.flops * n, bytes: a.bytes * n)
    }
}

extension Evaluator {
    /// One layer's time (ops and collectives) for a replica-level microbatch `work`.
    func layerTime(_ layer: LayerShard, id: Int, _ s: Strategy, groups: Groups, work: Work, tiers: TierChoice,
                   hiddenBytes: Double, dispatchBytes: Double) -> StageTime {
        layerTime(layer, id: id, s, work: work, tiers: tiers,
                  commS: layerCommS(layer, groups: groups, work: work, hiddenBytes: hiddenBytes, dispatchBytes: dispatchBytes))
    }

    /// A layer's time whose collectives (`layerCommS`) are already priced.
    private func layerTime(_ layer: LayerShard, id: Int, _ s: Strategy, work: Work, tiers: TierChoice,
                           commS: Double) -> StageTime {
        let c = computeCost(layer, id: id, s, work: work, tiers: tiers)
        return StageTime(computeS: c.seconds, commS: commS, flops: c.flops, bytes: c.bytes)
    }

    /// A layer's collectives: its TP all-reduces and EP all-to-alls. They do not depend on the
    /// tiers, so a pipeline prices them once per layer class, not once per tier placement.
    private func layerCommS(_ layer: LayerShard, groups: Groups, work: Work, hiddenBytes: Double,
                            dispatchBytes: Double) -> Double {
        var commS = 0.0
        let prefill = work.prefillShare
        if layer.tpAllReduces > 0 {
            commS += Double(layer.tpAllReduces) * collectiveS(.allReduce, bytes: hiddenBytes, group: groups.tp, prefillShare: prefill)
        }
        if layer.epAllToAlls > 0 {
            // Dispatch in the activation format, combine in the hidden state's width.
            let topK = Double(layer.routedTopK)
            commS += collectiveS(.allToAll, bytes: dispatchBytes * topK, group: groups.ep, prefillShare: prefill)
                + Double(layer.epAllToAlls - 1)
                * collectiveS(.allToAll, bytes: hiddenBytes * topK, group: groups.ep, prefillShare: prefill)
        }
        return commS
    }

    /// Pipeline timing of `m` equal microbatches through the stages: the first finishes after
    /// every stage and send; the rest follow at the slowest stage's pace. Layers of one class
    /// cost the same, so each class is costed once per tier placement and scaled by its count.
    func pipeline(_ s: Strategy, shard: ModelShard, groups: Groups, split: StageSplit, memory: StageMemories,
                  work: Work, microbatches m: Int) -> (latencyS: Double, cycleS: Double, stage: StageTime, firstHostS: Double) {
        // The busiest attention-DP rank's tokens (one whole sequence when there are fewer than EP).
        let share = work.busiestShare(s.ep)
        let hiddenBytes = work.tokens * share * shard.hiddenBytesPerToken
        let dispatchBytes = work.tokens * share * shard.dispatchBytesPerToken
        // The host's part of an iteration: a fixed step plus a cost per running request, each
        // attention-DP rank's process handling its own requests.
        let stepS = (rates.software.stepOverheadUs + work.sequences * share * rates.software.requestOverheadUs) * 1e-6
        func commS(_ layer: LayerShard) -> Double {
            layerCommS(layer, groups: groups, work: work, hiddenBytes: hiddenBytes, dispatchBytes: dispatchBytes)
        }
        let classComm = shard.classes.map(commS), headComm = commS(shard.head), tailComm = commS(shard.tail)
        var cachedChoice: TierChoice? = nil
        var classTimes: [StageTime] = [], headTime = StageTime(), tailTime = StageTime()
        var sum = StageTime(), slowest = 0.0
        let last = split.layers.count - 1
        // Stages of one run have the same time: cost its first, then add it once per stage, in
        // stage order, so the sum is the stage-by-stage one to the last bit.
        for run in memory.runs {
            let i = run.first
            let choice = memory.stages[i].choice
            if choice != cachedChoice {
                cachedChoice = choice
                classTimes = shard.classes.indices.map {
                    layerTime(shard.classes[$0], id: $0, s, work: work, tiers: choice, commS: classComm[$0])
                }
                headTime = layerTime(shard.head, id: -1, s, work: work, tiers: choice, commS: headComm)
                tailTime = layerTime(shard.tail, id: -2, s, work: work, tiers: choice, commS: tailComm)
            }
            var t = StageTime()
            let counts = split.classCounts[i]
            for c in counts.indices where counts[c] > 0 { t += classTimes[c] * Double(counts[c]) }
            // The serving stack's fixed cost per iteration (scheduling, sampling, host sync) runs
            // once per microbatch, ahead of the first stage, unless the host overlaps it.
            if i == 0 { t += headTime; t.computeS += rates.software.overlapScheduler ? 0 : stepS }
            if i == last { t += tailTime }
            for _ in 0..<run.count { sum += t }
            slowest = max(slowest, t.totalS)
        }
        let sendS = groups.ppLevel.map { hierarchy.pointToPointS(bytes: hiddenBytes / Double(s.tp), level: $0) } ?? 0
        sum.commS += sendS * Double(last)
        // An overlapped host step still bounds an iteration from below.
        let latency = rates.software.overlapScheduler ? max(sum.totalS, stepS) : sum.totalS
        // With m ≥ pp microbatches the slowest stage never idles; with fewer, a token cycle is
        // bounded by one microbatch's trip through the whole pipeline.
        // Sends go out while the stage computes its next microbatch, so a stage's pace is the
        // slower of its compute and its link.
        let pace = max(slowest, sendS, rates.software.overlapScheduler ? stepS : 0)
        let cycle = max(Double(m) * pace, latency)
        // An overlapped host step hides behind the previous iteration; the first has none before it.
        let firstHost = rates.software.overlapScheduler ? min(stepS, sum.totalS) : 0
        return (latency + Double(m - 1) * pace, cycle, sum, firstHost)
    }

    /// TTFT, TPOT and throughput for static or continuous batching (see README: cost model).
    func timing(_ c: Candidate, shard: ModelShard, split: StageSplit, memory: StageMemories, placed: Groups? = nil) -> Metrics {
        let s = c.strategy, sc = inputs.scenario
        let groups = placed ?? groupsOf(s)
        let b = Double(c.batch), input = Double(sc.inputTokens), output = Double(sc.outputTokens)
        let m = microbatches(s, batch: c.batch)  // prefill and decode alike
        let decodeWork = Work.decode(sequences: b / Double(m), context: meanDecodeContext)
        var ttftS: Double, tpotS: Double, tokensPerReplicaS: Double, busy: StageTime, cycle: Double
        switch sc.mode {
        case .static:
            // Every request starts together: prefill the batch, then output−1 decode steps.
            let prefill = pipeline(s, shard: shard, groups: groups, split: split, memory: memory,
                                   work: .prefill(sequences: b / Double(m), tokens: input), microbatches: m)
            let decode = pipeline(s, shard: shard, groups: groups, split: split, memory: memory,
                                  work: decodeWork, microbatches: m)
            // The batch arrives at an idle engine: the host prepares the first iteration in series.
            ttftS = prefill.latencyS + prefill.firstHostS
            tpotS = decode.cycleS
            cycle = decode.cycleS
            busy = decode.stage
            let totalS = ttftS + max(output - 1, 0) * tpotS
            tokensPerReplicaS = b * output / totalS
        case .continuous:
            // Steady state at the running batch b (see `runningBatch`): each iteration decodes every
            // running request and prefills the prompts of the b/(output−1) requests that replace
            // those finishing, chunked within the token budget (Orca; Sarathi-Serve, Agrawal et
            // al. 2024). A single-token output is all prefill.
            let decoding = output >= 2 ? b / Double(m) : 0
            let arrivals = output >= 2 ? decoding / (output - 1) : b / Double(m)
            let mixed = decodeWork * (output >= 2 ? 1 : 0) + .prefill(sequences: arrivals, tokens: input)
            let iteration = pipeline(s, shard: shard, groups: groups, split: split, memory: memory,
                                     work: mixed, microbatches: m)
            tpotS = iteration.cycleS
            cycle = iteration.cycleS
            busy = iteration.stage
            // A new prompt goes through in the budget the decode tokens leave, one chunk per
            // iteration, after waiting for the running one.
            // (per attention-DP rank: each has its own budget and a share of the decodes)
            let room = max(1, Double(rates.software.maxNumTokens ?? Int(input)) - decoding / Double(max(s.ep, 1)))
            ttftS = ((input / room).rounded(.up) + 1) * iteration.cycleS
            tokensPerReplicaS = arrivals * Double(m) * output / iteration.cycleS
        }
        let total = tokensPerReplicaS * Double(s.dp)
        let cluster = inputs.cluster
        let racks = Double(s.chiplets) / Double(cluster.totalChiplets) * Double(max(cluster.racks, 1))
        let powerKW = cluster.totalPowerW / 1000 * Double(s.chiplets) / Double(cluster.totalChiplets)
        // A hosted service's front end adds to what the user waits for, not to the machine's time.
        let ttftMs = ttftS * 1000 + rates.software.frontEndMs, tpotMs = tpotS * 1000
        let slo = (sc.maxTTFTMs.map { ttftMs <= $0 } ?? true) && (sc.maxTPOTMs.map { tpotMs <= $0 } ?? true)
        // Per cycle each stage runs m microbatches; `busy` sums one microbatch over the stages.
        let perStage = Double(m) / Double(s.pp) / cycle
        let peakFLOPS = rates.peakFLOPSPerS
        // Against the tier the weights stream from (the busiest on every machine we ship).
        let bytesPerS = rates.tiers[memory.stages[0].choice.weights].bytesPerS
        let chips = Double(max(1, (s.chiplets + cluster.chipletsPerChip - 1) / cluster.chipletsPerChip))
        return Metrics(
            ttftMs: ttftMs, tpotMs: tpotMs, outputTokensPerSecond: total,
            outputTokensPerSecondPerChip: total / chips,
            outputTokensPerSecondPerRack: total / racks,
            outputTokensPerSecondPerKW: powerKW > 0 ? total / powerKW : 0,
            tokensPerSecondPerUser: 1 / tpotS,
            computeUtilisation: busy.flops * perStage / peakFLOPS,
            bandwidthUtilisation: busy.bytes * perStage / bytesPerS,
            bubbleFraction: max(0, 1 - busy.totalS * perStage),
            communicationFraction: busy.totalS > 0 ? busy.commS / busy.totalS : 0,
            meetsSLO: slo)
    }
}
