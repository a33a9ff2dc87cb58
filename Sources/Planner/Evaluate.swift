import ClusterSpec
import CostModel
import ModelGraph

extension Evaluator {
    /// Divisibility and size rules, each reported as a case whose sentence a user can act on.
    public func illegality(_ s: Strategy, batch: Int) -> Infeasibility? {
        let cfg = inputs.model.config, name = inputs.modelName
        if min(s.tp, s.pp, s.dp, s.ep, batch) < 1 { return .sizeBelowOne(strategy: s, batch: batch) }
        if cfg.attentionHeads % s.tp != 0 {
            return .tpDoesNotDivideHeads(tp: s.tp, heads: cfg.attentionHeads, model: name,
                                         options: divisors(cfg.attentionHeads).filter { $0 <= hierarchy.totalChiplets })
        }
        let kv = cfg.kvHeads
        if s.tp > 1, kv > 0, kv % s.tp != 0, s.tp % kv != 0, cfg.mla == nil, !inputs.allowUnevenKVHeads {
            return .tpSplitsKVHeadsUnevenly(tp: s.tp, kvHeads: kv, model: name,
                                            options: divisors(cfg.attentionHeads).filter { $0 % kv == 0 || kv % $0 == 0 })
        }
        let experts = inputs.model.config.experts
        if s.ep > 1 && experts == 0 { return .epOnDenseModel(ep: s.ep, model: name) }
        if s.ep > 1 && experts % s.ep != 0 {
            return .epDoesNotDivideExperts(ep: s.ep, experts: experts, model: name, options: divisors(experts))
        }
        if s.pp > inputs.model.layerCount { return .moreStagesThanLayers(pp: s.pp, layers: inputs.model.layerCount, model: name) }
        if s.chiplets > hierarchy.totalChiplets {
            return .tooManyChiplets(strategy: s, needs: s.chiplets == Int.max ? nil : s.chiplets,
                                    cluster: inputs.cluster.name, has: hierarchy.totalChiplets)
        }
        // Four entries holding all four dimensions: each once (no Set built per candidate).
        if s.order.count != 4 || ParallelDim.allCases.contains(where: { !s.order.contains($0) }) {
            return .badMappingOrder(s.order)
        }
        return nil
    }

    /// Evaluates one candidate: legality, stage split, memory per tier, then timing. Under
    /// continuous batching the candidate's batch is the scheduler's cap, and the evaluation is at
    /// the running batch memory and the token budget allow (`runningBatch`).
    ///
    /// `placed` prices the groups where a placement put them (the links they actually cross)
    /// instead of the ideal layout.
    public func evaluate(_ c: Candidate, placed: Groups? = nil) -> Evaluation {
        let s = c.strategy
        var e = Evaluation(candidate: c, chipletsUsed: s.chiplets, chipsUsed: 0, stageLayers: [])
        if let why = illegality(s, batch: c.batch) { e.infeasibility = why; return e }
        e.chipsUsed = (s.chiplets + inputs.cluster.chipletsPerChip - 1) / inputs.cluster.chipletsPerChip
        let shard = modelShard(Shard(tp: s.tp, ep: s.ep))
        let split = stageSplit(s, batch: c.batch, shard: shard)
        e.stageLayers = split.layers
        var cached: Int? = nil
        if inputs.scenario.mode == .continuous {
            cached = admittedContext
            if let running = runningBatch(s, cap: c.batch, shard: shard, split: split) {
                e.candidate.batch = running
            } else {
                e.candidate.batch = max(1, s.ep)  // not even one sequence per EP rank fits: say why at that
            }
        }
        let placement = stageMemories(s, batch: e.candidate.batch, shard: shard, split: split, cachedTokens: cached)
        let stages = placement.stages
        // Quote the fullest stage: it is the one that decides feasibility.
        let fullest = stages[placement.fullest]
        e.memory = fullest
        if !fullest.fits {
            e.infeasibility = memoryShortfall(s, batch: e.candidate.batch, use: fullest).map { .outOfMemory($0) }
            e.fix = smallestFix(e.candidate)
            return e
        }
        e.metrics = timing(e.candidate, shard: shard, split: split, memory: placement, placed: placed)
        return e
    }

    /// Context each running sequence holds K/V for: its whole life when the scheduler reserves it
    /// on admission, else the average over its decode.
    var admittedContext: Int {
        let sc = inputs.scenario
        switch rates.software.kvAdmission {
        case .fullContext: return sc.inputTokens + sc.outputTokens
        case .averageContext: return sc.inputTokens + (sc.outputTokens + 1) / 2
        }
    }

    /// The running batch of continuous batching at full load: the cap, limited by the
    /// scheduler's own cap, by the K/V cache the fullest stage can hold (its share of the memory
    /// left after weights, activations and reserve), and by the token budget an iteration's
    /// decode tokens and prompt chunks must fit in. nil when not one sequence per EP rank fits.
    func runningBatch(_ s: Strategy, cap: Int, shard: ModelShard, split: StageSplit) -> Int? {
        // Depends on the strategy only through TP, EP and PP (never DP or the order), so the
        // orders of one search and the rack counts of a sweep share it.
        let key = EvaluatorMemo.RunningKey(tp: s.tp, ep: s.ep, pp: s.pp, cap: cap)
        if let known = memo.running[key] { return known }
        let made = unmemoisedRunningBatch(s, cap: cap, shard: shard, split: split)
        if memo.running.count < 1 << 20 { memo.running[key] = made }
        return made
    }

    private func unmemoisedRunningBatch(_ s: Strategy, cap: Int, shard: ModelShard, split: StageSplit) -> Int? {
        let sc = inputs.scenario, sw = rates.software
        // Attention-DP ranks (EP > 1) each run their own scheduler, with its own batch cap and
        // token budget (TensorRT-LLM's enable_attention_dp).
        let ranks = Double(max(s.ep, 1))
        var limit = min(Double(cap), sw.maxBatch.map { Double($0) * ranks } ?? Double(cap))
        let m = Double(microbatches(s, batch: cap))
        if let budget = sw.maxNumTokens, sc.outputTokens >= 2 {
            let o = Double(sc.outputTokens - 1)
            limit = min(limit, (m * ranks * Double(budget) * o / (o + Double(sc.inputTokens))).rounded(.down))
        }
        let empty = stageMemory(s, batch: cap, shard: shard, split: split, cachedTokens: 0)
        let last = empty.count - 1
        var shapeDone = [Bool](repeating: false, count: empty.count)
        for (stage, use) in empty.enumerated() {
            // Inner stages of one shape hold the same and give the same limit: take it once.
            if stage != 0 && stage != last {
                if shapeDone[split.shapes[stage]] { continue }
                shapeDone[split.shapes[stage]] = true
            }
            var kvPerSequence = 0.0
            for (c, n) in split.classCounts[stage].enumerated() {
                kvPerSequence += Double(n) * shard.classes[c].kvBytes(context: Double(admittedContext))
            }
            guard kvPerSequence > 0 else { continue }
            // The most room left in the weights' tier or any outer one (`map(…).max() ?? 0`).
            var room = 0.0
            for t in use.choice.weights..<use.tiers.count {
                let left = use.tiers[t].capacityBytes - use.tiers[t].usedBytes
                if t == use.choice.weights || room < left { room = left }
            }
            let perChiplet = max(0, room) * sw.kvCacheFraction / kvPerSequence
            limit = min(limit, (perChiplet * Double(s.ep)).rounded(.down))
        }
        return limit >= Double(max(1, s.ep)) ? Int(limit) : nil
    }

    func fill(_ m: MemoryUse) -> Double {
        // `map(…).max() ?? 0` without the array: the first tier, then any later one it is below.
        guard let first = m.tiers.first else { return 0 }
        var most = first.usedBytes / first.capacityBytes
        for t in m.tiers.dropFirst() where most < t.usedBytes / t.capacityBytes { most = t.usedBytes / t.capacityBytes }
        return most
    }

    /// `stageMemory`, memoised with the verdicts callers ask of it. Keyed by TP, EP, PP, batch and
    /// cached context: the placement never depends on DP, the order or the links, so the orders
    /// of a search, its disaggregated pools and the rack counts of a sweep share it.
    func stageMemories(_ s: Strategy, batch: Int, shard: ModelShard, split: StageSplit,
                       cachedTokens: Int? = nil) -> StageMemories {
        let sc = inputs.scenario
        let key = EvaluatorMemo.StagesKey(tp: s.tp, ep: s.ep, pp: s.pp, batch: batch,
                                          cachedTokens: cachedTokens ?? (sc.inputTokens + sc.outputTokens))
        if let known = memo.stages[key] { return known }
        let stages = stageMemory(s, batch: batch, shard: shard, split: split, cachedTokens: cachedTokens)
        // One pass: the first of the fullest stages (as `stages.max { fill($0) < fill($1) }` picks
        // it), whether all fit, and runs of consecutive inner stages of one shape, which hold and
        // cost the same (`stageMemory` places each inner shape once).
        var fullest = 0, most = 0.0, allFit = true
        var runs: [StageRun] = []
        let last = stages.count - 1
        for i in stages.indices {
            if i != 0 && i != last, let r = runs.last, r.first != 0, split.shapes[r.first] == split.shapes[i] {
                runs[runs.count - 1].count += 1
                continue
            }
            runs.append(StageRun(first: i, count: 1))
            let f = fill(stages[i])
            if i == 0 || most < f { fullest = i; most = f }
            allFit = allFit && stages[i].fits
        }
        let made = StageMemories(stages: stages, fullest: fullest, allFit: allFit, runs: runs)
        if memo.stages.count < 1 << 18 { memo.stages[key] = made }
        return made
    }

    /// Memory of one chiplet in each stage: its weights, the K/V cache of the sequences its EP
    /// rank holds at full context, and the live activations of a prefill microbatch.
    /// `cachedTokens` is the context each sequence caches (default: input + output; a prefill-only
    /// pool of a disaggregated plan holds just the prompt until it is sent on).
    func stageMemory(_ s: Strategy, batch: Int, shard: ModelShard, split: StageSplit,
                     cachedTokens: Int? = nil) -> [MemoryUse] {
        let sc = inputs.scenario
        // Whole sequences on the busiest EP rank (one when the batch is below EP).
        let sequencesHere = max(Double(batch) / Double(s.ep), min(Double(batch), 1))
        let context = Double(cachedTokens ?? (sc.inputTokens + sc.outputTokens))
        let prefillTokens = min(maxPrefillTokens,
                                sequencesHere / Double(microbatches(s, batch: batch)) * Double(sc.inputTokens))
        let last = split.layers.count - 1
        // Balanced splits repeat a few stage shapes; place each inner shape once.
        var seen = [MemoryUse?](repeating: nil, count: split.classCounts.count)
        return split.classCounts.enumerated().map { stage, counts in
            let inner = stage != 0 && stage != last
            if inner, let known = seen[split.shapes[stage]] { return known }
            var weights = 0.0, kv = 0.0, act = 0.0
            for (c, n) in counts.enumerated() where n > 0 {
                let l = shard.classes[c]
                weights += Double(n) * l.weightBytes
                kv += Double(n) * l.kvBytes(context: context)
                act = max(act, l.peakActivationBytesPerToken)
            }
            if stage == 0 { weights += shard.head.weightBytes }
            if stage == last { weights += shard.tail.weightBytes }
            let use = placeMemory(weights: weights, kvCache: kv * sequencesHere,
                                  activations: act * prefillTokens, tiers: rates.tiers)
            if inner { seen[split.shapes[stage]] = use }
            return use
        }
    }

    /// GPipe-style microbatches, for prefill and decode alike: enough to fill the pipeline, each
    /// with at least one sequence per EP rank.
    func microbatches(_ s: Strategy, batch: Int) -> Int {
        max(1, min(s.pp, batch / s.ep))
    }
}

/// Prompt tokens one forward pass holds live at once: engines chunk longer prefills (TensorRT-LLM's
/// default `max_num_tokens` is 8192), so activation memory stops growing there.
let maxPrefillTokens = 8192.0

/// Ascending; pairs up to √n, so a model with 2^30 heads costs 2^15 steps, not 2^30.
func divisors(_ n: Int) -> [Int] {
    var low: [Int] = [], high: [Int] = [], d = 1
    while d <= n / d {
        if n % d == 0 {
            low.append(d)
            if d != n / d { high.append(n / d) }
        }
        d += 1
    }
    return low + high.reversed()
}

/// "1, 2, 4 or 8".
func listed(_ values: [Int]) -> String {
    let s = values.map(String.init)
    guard s.count > 1 else { return s.first ?? "none" }
    return s.dropLast().joined(separator: ", ") + " or " + (s.last ?? "")
}

extension Evaluator {
    /// Evaluates `strategy` at `batch`, or, when no batch is given, at the largest of
    /// `batchCaps(maxBatch:)` that fits and meets the SLOs (batch 1's verdict when none does).
    public func evaluateLargestBatch(_ strategy: Strategy, batch: Int?, maxBatch: Int?) -> Evaluation {
        if let batch { return evaluate(Candidate(strategy: strategy, batch: batch)) }
        var best = evaluate(Candidate(strategy: strategy, batch: max(1, strategy.ep)))
        guard best.metrics?.meetsSLO == true else { return best }
        for b in batchCaps(maxBatch: maxBatch) where b > best.candidate.batch {
            let e = evaluate(Candidate(strategy: strategy, batch: b))
            guard e.metrics?.meetsSLO == true else { break }
            best = e
        }
        return best
    }
}
