/// Bounded work (issue 15): the size of a search, counted before it runs, so a cluster or model
/// that would make it run for hours is refused with the figure instead.
extension Evaluator {
    /// The default of `tessera plan --max-candidates` and of capacity sweeps: ten times the bound of
    /// the largest shipped search (Qwen3-235B on GB200 NVL72, 95,865 candidates).
    public static let defaultMaxCandidates = 1_000_000

    /// An upper bound on the candidates `search(options)` prices: every TP × EP × PP it visits times
    /// its three mapping orders and the two disaggregated pools, times the batches. Memory pruning and
    /// skipped orders make the real count smaller.
    public func searchSize(_ options: SearchOptions) -> Int {
        let total = hierarchy.totalChiplets, cfg = inputs.model.config
        let tps = divisors(cfg.attentionHeads).filter { $0 <= total }
        let eps = cfg.experts > 1 ? divisors(cfg.experts).filter { $0 <= total } : [1]
        let batches = options.batches?.count ?? (inputs.scenario.batch == nil ? batchCaps(maxBatch: options.maxBatch).count : 1)
        var strategies = 0
        for tp in tps { for ep in eps where tp <= total / ep {
            strategies += max(1, min(inputs.model.layerCount, total / (tp * ep)))
        } }
        return saturatingProduct(strategies, saturatingProduct(5, batches))
    }
}
