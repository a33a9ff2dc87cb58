import ModelGraph

/// Why a candidate cannot run, as a value the search counts by case and tests match on; the
/// words a user reads are rendered here and nowhere else.
public enum Infeasibility: Sendable, Equatable, CustomStringConvertible {
    case sizeBelowOne(strategy: Strategy, batch: Int)
    case tpDoesNotDivideHeads(tp: Int, heads: Int, model: String, options: [Int])
    case tpSplitsKVHeadsUnevenly(tp: Int, kvHeads: Int, model: String, options: [Int])
    case epOnDenseModel(ep: Int, model: String)
    case epDoesNotDivideExperts(ep: Int, experts: Int, model: String, options: [Int])
    case moreStagesThanLayers(pp: Int, layers: Int, model: String)
    /// `needs` is nil when the count overflowed.
    case tooManyChiplets(strategy: Strategy, needs: Int?, cluster: String, has: Int)
    case badMappingOrder([ParallelDim])
    case outOfMemory(MemoryShortfall)

    /// What one chiplet would hold in its first overfull tier, and what it has.
    public struct MemoryShortfall: Sendable, Equatable {
        public var model: String
        public var strategy: Strategy
        public var tier: String
        /// "chip" or "chiplet".
        public var unit: String
        public var chipName: String
        public var usedBytes: Double
        public var capacityBytes: Double
        public var weightBytes: Double
        public var kvCacheBytes: Double
        public var activationBytes: Double
        public var reserveBytes: Double
        public var precision: Precision
        public var batch: Int
        public var tokensPerSequence: Int
    }

    /// Failures grouped by kind, not by figures, for the search's counts.
    public var category: String {
        switch self {
        case .outOfMemory: "does not fit in memory"
        default: description.split(separator: ";").first.map(String.init) ?? description
        }
    }

    public var description: String {
        switch self {
        case let .sizeBelowOne(s, batch):
            "TP, PP, DP, EP and batch must be at least 1 (got \(s), batch \(batch))"
        case let .tpDoesNotDivideHeads(tp, heads, model, options):
            "TP \(tp) does not divide the \(heads) attention heads of \(model); TP can be \(listed(options))"
        case let .tpSplitsKVHeadsUnevenly(tp, kv, model, options):
            "TP \(tp) neither divides the \(kv) KV heads of \(model) nor is a multiple of them, so serving engines "
                + "cannot shard its K/V; TP can be \(listed(options)) (--allow-uneven-kv-heads prices it anyway)"
        case let .epOnDenseModel(ep, model):
            "EP \(ep) needs a mixture-of-experts model; \(model) is dense"
        case let .epDoesNotDivideExperts(ep, experts, model, options):
            "EP \(ep) does not divide the \(experts) routed experts of \(model); EP can be \(listed(options))"
        case let .moreStagesThanLayers(pp, layers, model):
            "PP \(pp) exceeds the \(layers) layers of \(model): every stage needs at least one layer"
        case let .tooManyChiplets(s, needs, cluster, has):
            "\(s) needs \(needs.map { "\($0) chiplets" } ?? "more chiplets than can be counted"); \(cluster) has \(has)"
        case let .badMappingOrder(order):
            "the mapping order must name tp, ep, dp and pp once each (got \(order.map(\.rawValue)))"
        case let .outOfMemory(m):
            m.description
        }
    }
}

extension Infeasibility.MemoryShortfall: CustomStringConvertible {
    /// "llama-3-70b at TP 1 × PP 1 needs 237.3 GB of HBM3 per chip (weights 141.1 GB bf16, KV cache
    /// 91.3 GB bf16 at batch 64 × 4352 tokens, activations 939.5 MB, runtime reserve 4.0 GB); H100-SXM
    /// has 80.0 GB"
    public var description: String {
        var parts: [String] = []
        if weightBytes > 0 { parts.append("weights \(gb(weightBytes)) \(precision.weights.rawValue)") }
        if kvCacheBytes > 0 {
            parts.append("KV cache \(gb(kvCacheBytes)) \(precision.kvCache.rawValue) at batch \(batch) × \(tokensPerSequence) tokens")
        }
        if activationBytes > 0 { parts.append("activations \(gb(activationBytes))") }
        parts.append("runtime reserve \(gb(reserveBytes))")
        let s = strategy
        return "\(model) at TP \(s.tp) × PP \(s.pp)\(s.ep > 1 ? " × EP \(s.ep)" : "") needs \(gb(usedBytes)) of \(tier) "
            + "per \(unit) (\(parts.joined(separator: ", "))); \(chipName) has \(gb(capacityBytes))"
    }
}
