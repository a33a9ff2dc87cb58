import ModelGraph

/// The ends of the model: token embedding (replicated) and the final norm plus LM head, whose
/// columns (the vocabulary) may be split across TP ranks.
public struct ModelHead: Sendable {
    public let config: ModelConfig
    /// Vocabulary entries whose logits this rank computes.
    public let vocab: Range<Int>
    let weights: TinyWeights
    let finalNorm: Norm
    let lmHead: [Float]

    public init(weights: TinyWeights, tpRank: Int = 0, tpSize: Int = 1) {
        config = weights.config
        self.weights = weights
        vocab = Shards.columns(of: TensorName.lmHead, config: config, tp: tpSize, rank: tpRank)
        finalNorm = Norm(weights: weights, name: TensorName.finalNorm)
        lmHead = Shards.block(of: TensorName.lmHead, weights: weights, tp: tpSize, rank: tpRank)
    }

    /// Embedding rows of `tokens`: tokens.count × hidden.
    public func embed(_ tokens: [Int]) -> [Float] {
        tokens.flatMap { weights.block(TensorName.embedding, rows: $0..<($0 + 1), cols: 0..<config.hiddenSize) }
    }

    /// Logits of this rank's vocabulary slice for `rows` hidden rows: rows × vocab.count.
    public func logits(_ hidden: [Float], rows: Int) -> [Float] {
        Kernels.matmul(finalNorm.apply(hidden), lmHead, m: rows, k: config.hiddenSize, n: vocab.count)
    }

    /// Joins per-rank vocabulary slices (in TP rank order) into rows × vocab logits.
    public static func gather(_ slices: [[Float]], rows: Int) -> [Float] {
        (0..<rows).flatMap { row in
            slices.flatMap { slice -> ArraySlice<Float> in
                let width = slice.count / max(rows, 1)
                return slice[(row * width)..<((row + 1) * width)]
            }
        }
    }
}
