import ModelGraph

/// The unpartitioned forward pass of a tiny model, one process, no fabric: what numeric emulation
/// is compared against. Sequences run independently (each with its own KV cache), so DP and
/// microbatching do not change any sequence's result.
public enum Reference {
    /// Logits [sequence][vocab] of the last position of every sequence, after prefill of `tokens`
    /// and `decodeSteps` greedy (argmax, ties to the lowest id) decode steps. `config` rules: weights
    /// built for another config are rebuilt from their seed.
    public static func logits(config: ModelConfig, weights: TinyWeights, tokens: [[Int]], decodeSteps: Int) -> [[Float]] {
        greedy(config: config, weights: weights, tokens: tokens, decodeSteps: decodeSteps).map(\.logits)
    }

    /// As `logits`, with the tokens each sequence chose (prompt, then one per decode step).
    public static func greedy(config: ModelConfig, weights: TinyWeights, tokens: [[Int]],
                              decodeSteps: Int) -> [(logits: [Float], tokens: [Int])] {
        let model = Model(weights: weights.config == config ? weights
                          : TinyWeights(config: config, seed: weights.seed, quantisation: weights.quantisation))
        return tokens.map { prompt in
            var caches = model.layers.map { $0.makeCache() }
            var logits = model.forward(prompt, caches: &caches)
            var chosen = prompt
            for _ in 0..<decodeSteps {
                let next = Kernels.argmax(logits, width: config.vocabSize)
                chosen += next
                logits = model.forward(next, caches: &caches)
            }
            return (logits, chosen)
        }
    }

    /// Teacher forcing: logits of every position of every sequence (positions × vocab each), with
    /// the whole sequence run as one prefill. A recorder sees every rounding point.
    public static func everyPosition(weights: TinyWeights, tokens: [[Int]], recorder: AbsMaxRecorder? = nil) -> [[Float]] {
        let model = Model(weights: weights)
        return tokens.map { sequence in
            var caches = model.layers.map { $0.makeCache() }
            return model.forward(sequence, caches: &caches, allPositions: true, recorder: recorder)
        }
    }

    /// Deterministic prompt tokens for `batch` sequences of `length` tokens, from the seed.
    public static func prompt(config: ModelConfig, batch: Int, length: Int, seed: UInt64) -> [[Int]] {
        let key = TinyWeights.tensorKey(seed: seed, "prompt")
        let vocab = UInt64(max(config.vocabSize, 1))
        return (0..<batch).map { sequence in
            (0..<length).map { position in
                let coordinates = UInt64(sequence) << 32 | UInt64(position)
                return Int(TinyWeights.splitMix64(key ^ TinyWeights.splitMix64(coordinates)) % vocab)
            }
        }
    }

    /// Largest model numeric mode runs: 100 M parameters is 400 MB of Float32 for the reference.
    public static let maxParameters = 100_000_000

    /// Why numeric mode cannot run this model, or nil when it can (Llama/Mixtral shapes with
    /// RMSNorm or LayerNorm, SwiGLU or GELU, rotary positions, pre-norm sequential blocks, full
    /// attention, no biases, untied head). Anything else would be emulated as a different model.
    public static func unsupported(_ config: ModelConfig) -> String? {
        var missing: [String] = []
        if config.mla != nil { missing.append("multi-head latent attention") }
        if config.positions != .rotary { missing.append("\(config.positions == .alibi ? "ALiBi" : "learned") positions") }
        if config.activation == .geglu { missing.append("gated GELU (GeGLU)") }
        if config.qkNorm { missing.append("QK-norm") }
        if config.parallelBlock { missing.append("parallel attention and MLP blocks") }
        if config.normPlacement != .pre { missing.append("\(config.normPlacement.rawValue)-norm blocks") }
        if config.embeddingNorm { missing.append("an embedding norm") }
        if config.slidingWindow != nil && config.windowedLayers.contains(true) { missing.append("windowed attention") }
        if config.attentionSinks { missing.append("attention sinks") }
        if config.qkvBias || config.outputBias || config.mlpBias || config.routerBias || config.lmHeadBias
            || config.expertBias {
            missing.append("biases")
        }
        if config.sharedExperts > 0 { missing.append("shared experts") }
        if config.tiedEmbeddings { missing.append("tied embeddings") }
        if config.attentionHeads % max(config.kvHeads, 1) != 0 { missing.append("heads not a multiple of KV heads") }
        if !missing.isEmpty {
            return "numeric mode does not support \(missing.joined(separator: ", ")) (model type \(config.modelType))"
        }
        // Rank 0 builds the unpartitioned reference in Float32, so the model must fit one process.
        let parameters = ModelGraph(config: config, name: config.modelType).totalParameters
        if parameters > maxParameters {
            return "the reference is built in Float32 in one process, and this model has \(parameters) parameters "
                + "(\(parameters / 250_000_000) GB), more than the \(maxParameters) allowed: use a tiny workload "
                + "(Workloads/tiny-llama.json, tiny-moe.json) or timing mode"
        }
        return nil
    }

    /// The whole model on one rank: ShardedLayer at TP = EP = 1 holds every weight.
    struct Model {
        let head: ModelHead
        let layers: [ShardedLayer]

        init(weights: TinyWeights) {
            head = ModelHead(weights: weights)
            layers = (0..<weights.config.layers).map { ShardedLayer(weights: weights, layer: $0) }
        }

        /// Runs `tokens` new tokens of one sequence through every layer; the last row's logits, or
        /// every row's with `allPositions`.
        func forward(_ tokens: [Int], caches: inout [KVCache], allPositions: Bool = false,
                     recorder: AbsMaxRecorder? = nil) -> [Float] {
            let count = tokens.count, width = head.config.hiddenSize
            var hidden = head.embed(tokens)
            for (index, layer) in layers.enumerated() {
                hidden = Kernels.add(hidden, layer.attentionPartial(hidden, tokens: count, cache: &caches[index],
                                                                    recorder: recorder))
                hidden = Kernels.add(hidden, layer.mlpPartial(hidden, tokens: count, recorder: recorder))
            }
            if allPositions { return head.logits(hidden, rows: count) }
            return head.logits(Array(hidden[((count - 1) * width)...]), rows: 1)
        }
    }
}
