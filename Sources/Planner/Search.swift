import ClusterSpec
import CostModel
import ModelGraph

/// What the search maximises.
public enum Objective: String, Codable, Sendable, CaseIterable {
    case throughputPerChip = "throughput-per-chip"
    case throughputPerRack = "throughput-per-rack"
    case latency
}

public struct SearchOptions: Sendable {
    public var objective: Objective = .throughputPerChip
    public var top: Int = 5
    /// Batches (sequences in flight per replica) to try; nil: the scenario's batch if it has one, else
    /// `Evaluator.batchCaps(maxBatch:)`.
    public var batches: [Int]?
    /// Largest power-of-two batch to try; nil: 1024, and full load as well under continuous batching.
    public var maxBatch: Int?
    /// Also try separate prefill and decode pools (continuous batching only).
    public var disaggregation = true
    public init() {}
}

public struct SearchResult: Sendable {
    public var candidates: Int
    public var illegal: Int
    public var outOfMemory: Int
    public var missedSLO: Int
    /// The best candidates by the objective, best first, all within the SLOs.
    public var ranked: [Evaluation]
    /// Throughput per chip against tokens/s per user: no point on it is beaten on both.
    public var pareto: [Evaluation]
    /// The most common reasons candidates failed, with counts, most common first.
    public var failures: [(reason: String, count: Int)]
}

extension Evaluator {
    /// Every legal strategy × mapping × batch: enumerate, prune by memory (a batch that does not
    /// fit stops the larger ones), evaluate, rank. Deterministic: enumeration order is fixed and
    /// ties break on fewer chips, then the strategy's description.
    public func search(_ options: SearchOptions = SearchOptions()) -> SearchResult {
        let cfg = inputs.model.config
        let total = hierarchy.totalChiplets
        let tps = divisors(cfg.attentionHeads).filter { $0 <= total }
        let experts = inputs.model.config.experts
        let eps = experts > 1 ? divisors(experts).filter { $0 <= total } : [1]
        let batches = options.batches ?? inputs.scenario.batch.map { [$0] } ?? batchCaps(maxBatch: options.maxBatch)
        var orders = [Strategy.megatronOrder, [.tp, .ep, .pp, .dp]]
        if experts > 1 { orders.append([.ep, .tp, .dp, .pp]) }
        var result = SearchResult(candidates: 0, illegal: 0, outOfMemory: 0, missedSLO: 0,
                                  ranked: [], pareto: [], failures: [])
        var good: [Evaluation] = []
        var reasons: [String: Int] = [:]
        for tp in tps { for ep in eps {
            guard tp * ep <= total else { continue }
            for pp in 1...max(1, min(inputs.model.layerCount, total / (tp * ep))) {
                let dp = total / (tp * ep * pp)
                for order in orders {
                    // Orders that only differ in where a size-1 dimension sits are the same mapping.
                    if order != Strategy.megatronOrder && (order.contains(.ep) && ep == 1 && order[0] == .ep
                        || (order == [.tp, .ep, .pp, .dp] && (pp == 1 || dp == 1))) { continue }
                    let strategy = Strategy(tp: tp, pp: pp, dp: dp, ep: ep, order: order)
                    for batch in batches {
                        result.candidates += 1
                        let e = evaluate(Candidate(strategy: strategy, batch: batch))
                        if let why = e.infeasibility {
                            if e.memory == nil { result.illegal += 1 } else { result.outOfMemory += 1 }
                            reasons[why.category, default: 0] += 1
                            if e.memory != nil { break }  // larger batches need more memory still
                            continue
                        }
                        // Under continuous batching a larger cap than the running batch changes nothing.
                        let capped = e.candidate.batch < batch
                        guard let m = e.metrics, m.meetsSLO else {
                            result.missedSLO += 1
                            reasons["misses the TTFT/TPOT limits", default: 0] += 1
                            if capped { break }
                            continue
                        }
                        good.append(e)
                        if capped { break }
                    }
                }
            }
        } }
        if options.disaggregation && inputs.scenario.mode == .continuous,
           // A pool's batch is what it runs (no scheduler sets it), so full load is not one of them.
           let split = bestDisaggregated(tps: tps, eps: eps, batches: batches.filter { $0 < Evaluator.fullLoad },
                                         evaluated: &result.candidates) {
            good.append(split)
        }
        good.sort { better($0, $1, options.objective) }
        result.ranked = Array(good.prefix(options.top))
        result.pareto = paretoFront(good)
        result.failures = reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { (reason: $0.key, count: $0.value) }
        return result
    }
}

extension Evaluator {
    /// A batch cap that never binds: under continuous batching the running batch is then what the
    /// scheduler's caps and the K/V cache allow, as an engine at full load runs it.
    public static let fullLoad = 1 << 20

    /// The batches a search (or `evaluateLargestBatch`) tries when none is given: powers of two up
    /// to `maxBatch` (1024 when nil); under continuous batching with no `maxBatch`, full load too,
    /// so that the plan at full load is the one a serving engine would run (not the power of two
    /// below it).
    public func batchCaps(maxBatch: Int?) -> [Int] {
        var caps = powersOfTwo(upTo: maxBatch ?? 1024)
        if maxBatch == nil && inputs.scenario.mode == .continuous { caps.append(Evaluator.fullLoad) }
        return caps
    }
}

func powersOfTwo(upTo n: Int) -> [Int] {
    var out: [Int] = [], v = 1
    while v <= n {
        out.append(v)
        if v > n / 2 { break }  // the next doubling would pass n (or overflow)
        v *= 2
    }
    return out
}

/// Objective order, then fewer chips, then a stable textual order.
func better(_ a: Evaluation, _ b: Evaluation, _ objective: Objective) -> Bool {
    guard let x = a.metrics, let y = b.metrics else { return a.metrics != nil }
    let (u, v): (Double, Double)
    switch objective {
    case .throughputPerChip: (u, v) = (x.outputTokensPerSecondPerChip, y.outputTokensPerSecondPerChip)
    case .throughputPerRack: (u, v) = (x.outputTokensPerSecondPerRack, y.outputTokensPerSecondPerRack)
    case .latency: (u, v) = (-x.tpotMs - x.ttftMs / 100, -y.tpotMs - y.ttftMs / 100)
    }
    if u != v { return u > v }
    if a.chipsUsed != b.chipsUsed { return a.chipsUsed < b.chipsUsed }
    if a.candidate.batch != b.candidate.batch { return a.candidate.batch < b.candidate.batch }
    return a.candidate.strategy.description < b.candidate.strategy.description
}

/// Points not dominated in (throughput per chip, tokens/s per user), fastest per user first.
func paretoFront(_ evaluations: [Evaluation]) -> [Evaluation] {
    let sorted = evaluations.sorted {
        let x = $0.metrics!, y = $1.metrics!  // only feasible evaluations reach here
        if x.tokensPerSecondPerUser != y.tokensPerSecondPerUser { return x.tokensPerSecondPerUser > y.tokensPerSecondPerUser }
        return x.outputTokensPerSecondPerChip > y.outputTokensPerSecondPerChip
    }
    var front: [Evaluation] = [], best = -Double.infinity
    for e in sorted {
        let perChip = e.metrics!.outputTokensPerSecondPerChip
        if perChip > best { front.append(e); best = perChip }
    }
    return front
}
