/// FLOPs per element of the non-matmul ops. A counting convention (assumed, not measured): these
/// ops are memory-bound, so their bytes matter far more than these counts.
enum ElementwiseFLOPs {
    /// x², sum, scale, weight.
    static let rmsNorm = 4.0
    /// mean, subtract, x², sum, scale, weight, bias.
    static let layerNorm = 7.0
    /// x·cos + rotate(x)·sin.
    static let rotary = 3.0
    /// max, subtract, exp, sum, divide.
    static let softmax = 5.0
    /// silu(gate)·up: sigmoid (3), two multiplies.
    static let swiglu = 5.0
    /// tanh-approximated GELU.
    static let gelu = 8.0
    static let add = 1.0
}

/// Builds the op list of a decoder-only transformer from its config: embedding, layers, head.
struct GraphBuilder {
    let config: ModelConfig

    func build() -> [Op] {
        var ops = embeddingOps()
        for layer in 0..<config.layers {
            ops += attentionOps(layer: layer)
            ops += config.isMoELayer(layer) ? moeOps(layer: layer) : denseMLPOps(layer: layer)
        }
        ops.append(norm("norm", kind: .finalNorm, layer: nil, width: config.hiddenSize))
        // Tied: the LM head reuses the embedding matrix, so its parameters are counted there.
        ops.append(matmul("lm_head", .lmHead, layer: nil, in: config.hiddenSize, out: config.vocabSize,
                          bias: config.lmHeadBias, split: [.vocab: config.vocabSize, .hidden: config.hiddenSize],
                          weightless: config.tiedEmbeddings))
        return ops
    }

    private func embeddingOps() -> [Op] {
        let hidden = config.hiddenSize
        var ops = [Op(name: "embed_tokens", kind: .embedding, layer: nil, inFeatures: 1, outFeatures: hidden,
                      parameters: config.vocabSize * hidden, splitExtents: [.vocab: config.vocabSize, .hidden: hidden],
                      flopsPerToken: 0, outputElementsPerToken: hidden)]
        if config.embeddingNorm {
            ops.append(norm("word_embeddings_layernorm", layer: nil, width: hidden, vectors: 2))
        }
        if config.positions == .learned {
            ops.append(Op(name: "embed_positions", kind: .positionEmbedding, layer: nil, inFeatures: hidden, outFeatures: hidden,
                          parameters: (config.maxPositions + config.positionOffset) * hidden, splitExtents: [.hidden: hidden],
                          flopsPerToken: ElementwiseFLOPs.add * Double(hidden), outputElementsPerToken: hidden))
        }
        return ops
    }

    // MARK: op factories

    /// A weight matmul of `instances` copies (K = `in`, N = `out`), of which a token uses `active`.
    func matmul(_ name: String, _ kind: OpKind, layer: Int?, in inFeatures: Int, out outFeatures: Int,
                bias: Bool = false, instances: Int = 1, active: Int = 1,
                split: [SplitDimension: Int], weightless: Bool = false, cached: Int = 0) -> Op {
        // A tied LM head still owns its bias (GPT-J and Phi have one).
        let perInstance = (weightless ? 0 : inFeatures * outFeatures) + (bias ? outFeatures : 0)
        return Op(name: name, kind: kind, layer: layer, inFeatures: inFeatures, outFeatures: outFeatures,
                  parameters: instances * perInstance, instances: instances, activePerToken: active,
                  splitExtents: split, flopsPerToken: 2 * Double(inFeatures * outFeatures * active),
                  cachedElementsPerToken: cached, outputElementsPerToken: outFeatures * active)
    }

    /// A weightless elementwise op over `width` elements per token (times `active` for experts).
    func elementwise(_ name: String, _ kind: OpKind, layer: Int?, width: Int, flopsPerElement: Double,
                     instances: Int = 1, active: Int = 1, split: [SplitDimension: Int]) -> Op {
        Op(name: name, kind: kind, layer: layer, inFeatures: width, outFeatures: width,
           instances: instances, activePerToken: active, splitExtents: split,
           flopsPerToken: flopsPerElement * Double(width * active), outputElementsPerToken: width * active)
    }

    /// RMSNorm or LayerNorm over `width` with the model's weight vectors per norm (`normVectors`)
    /// unless `vectors` says otherwise; split only by sequence.
    func norm(_ name: String, kind: OpKind = .norm, layer: Int?, width: Int, forceRMS: Bool = false, vectors: Int? = nil) -> Op {
        let rms = forceRMS || config.norm == .rmsNorm
        return Op(name: name, kind: kind, layer: layer, inFeatures: width, outFeatures: width,
                  parameters: (vectors ?? (forceRMS ? 1 : config.normVectors)) * width, splitExtents: [:],
                  flopsPerToken: (rms ? ElementwiseFLOPs.rmsNorm : ElementwiseFLOPs.layerNorm) * Double(width),
                  outputElementsPerToken: width)
    }

    func residualAdd(_ name: String, layer: Int) -> Op {
        elementwise(name, .residualAdd, layer: layer, width: config.hiddenSize, flopsPerElement: ElementwiseFLOPs.add,
                    split: [.hidden: config.hiddenSize])
    }
}
