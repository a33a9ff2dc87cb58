import ModelGraph

/// Why a model or a split cannot run in numeric mode.
public struct NumericError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Which slice of each tensor a tensor-parallel or expert-parallel rank holds (Megatron-LM,
/// Shoeybi et al. 2019): q/k/v and gate/up are column-parallel, o_proj and down_proj row-parallel,
/// the LM head column-parallel over the vocabulary; norms, embeddings and the router are replicated.
public enum Shards {
    /// The `index`-th of `parts` contiguous, near-equal pieces of 0..<extent.
    public static func range(extent: Int, parts: Int, index: Int) -> Range<Int> {
        (index * extent / parts)..<((index + 1) * extent / parts)
    }

    public static func queryHeads(_ config: ModelConfig, tp: Int, rank: Int) -> Range<Int> {
        range(extent: config.attentionHeads, parts: tp, index: rank)
    }

    /// KV heads of a TP rank. When TP > KV heads each rank holds one KV head, `rank / (tp / kvHeads)`,
    /// replicated across the ranks whose query heads share it.
    public static func kvHeads(_ config: ModelConfig, tp: Int, rank: Int) -> Range<Int> {
        if tp > config.kvHeads {
            let head = rank / (tp / config.kvHeads)
            return head..<(head + 1)
        }
        return range(extent: config.kvHeads, parts: tp, index: rank)
    }

    /// Routed experts held by an EP rank.
    public static func experts(_ config: ModelConfig, ep: Int, rank: Int) -> Range<Int> {
        range(extent: config.experts, parts: ep, index: rank)
    }

    /// Columns of `tensor` a TP rank holds (all columns for a replicated or row-parallel tensor).
    public static func columns(of tensor: String, config: ModelConfig, tp: Int, rank: Int) -> Range<Int> {
        let kind = TensorKind(tensor)
        let all = 0..<kind.shape(config).cols
        switch kind {
        case .qProj: return scaled(queryHeads(config, tp: tp, rank: rank), by: config.headDim)
        case .kProj, .vProj: return scaled(kvHeads(config, tp: tp, rank: rank), by: config.headDim)
        case .gateProj, .upProj, .expertGate, .expertUp, .lmHead: return range(extent: all.count, parts: tp, index: rank)
        default: return all
        }
    }

    /// Rows of `tensor` a TP rank holds (all rows for a replicated or column-parallel tensor).
    public static func rows(of tensor: String, config: ModelConfig, tp: Int, rank: Int) -> Range<Int> {
        let kind = TensorKind(tensor)
        let all = 0..<kind.shape(config).rows
        switch kind {
        case .oProj: return scaled(queryHeads(config, tp: tp, rank: rank), by: config.headDim)
        case .downProj, .expertDown: return range(extent: all.count, parts: tp, index: rank)
        default: return all
        }
    }

    /// The rank's block of `tensor` under TP.
    public static func block(of tensor: String, weights: TinyWeights, tp: Int, rank: Int) -> [Float] {
        weights.block(tensor, rows: rows(of: tensor, config: weights.config, tp: tp, rank: rank),
                      cols: columns(of: tensor, config: weights.config, tp: tp, rank: rank))
    }

    /// Checks that numeric mode supports the model and that TP and EP divide it evenly.
    public static func check(config: ModelConfig, tp: Int, ep: Int, activations: NumericFormat = .fp32) throws(NumericError) {
        if let reason = Reference.unsupported(config) { throw NumericError(reason) }
        guard tp >= 1, ep >= 1 else { throw NumericError("tp \(tp) and ep \(ep) must be at least 1") }
        guard config.attentionHeads % tp == 0 else {
            throw NumericError("tp \(tp) does not divide \(config.attentionHeads) attention heads")
        }
        guard tp <= config.kvHeads ? config.kvHeads % tp == 0 : tp % config.kvHeads == 0 else {
            throw NumericError("tp \(tp) and \(config.kvHeads) KV heads: one must divide the other")
        }
        let ffn = config.isMoE ? config.moeIntermediateSize : config.intermediateSize
        guard ffn % tp == 0, config.vocabSize % tp == 0 else {
            throw NumericError("tp \(tp) does not divide FFN width \(ffn) and vocabulary \(config.vocabSize)")
        }
        // A row-parallel input is cut by heads and by FFN columns; MX blocks of 32 must not straddle a cut.
        let block = MXQuantiser.blockSize
        if [.mxint8, .mxint4, .mxfp4].contains(activations), tp > 1,
           (config.attentionHeads / tp * config.headDim) % block != 0 || (ffn / tp) % block != 0 {
            throw NumericError("\(activations.rawValue) activations at tp \(tp): each rank's share of the heads "
                + "(\(config.attentionHeads / tp) × \(config.headDim)) and of the FFN (\(ffn / tp)) must be a multiple of \(block)")
        }
        guard ep == 1 || config.isMoE else { throw NumericError("ep \(ep) needs an MoE model; \(config.modelType) is dense") }
        guard config.experts % ep == 0 || !config.isMoE else {
            throw NumericError("ep \(ep) does not divide \(config.experts) experts")
        }
    }

    private static func scaled(_ heads: Range<Int>, by width: Int) -> Range<Int> {
        (heads.lowerBound * width)..<(heads.upperBound * width)
    }
}
