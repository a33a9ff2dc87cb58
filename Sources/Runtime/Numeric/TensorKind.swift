import ModelGraph

/// What a tensor name denotes, parsed from ModelGraph's op names; gives its shape and value range.
enum TensorKind: Equatable {
    case embedding, lmHead, normWeight, normBias
    case qProj, kProj, vProj, oProj
    case gateProj, upProj, downProj
    case router
    case expertGate, expertUp, expertDown
    case unknown

    init(_ name: String) {
        let parts = name.split(separator: ".").map(String.init)
        switch parts.last ?? "" {
        case "embed_tokens": self = .embedding
        case "lm_head": self = .lmHead
        case "norm", "input_layernorm", "post_attention_layernorm": self = .normWeight
        case "bias" where parts.count >= 2 && ["norm", "input_layernorm", "post_attention_layernorm"]
            .contains(parts[parts.count - 2]): self = .normBias
        case "q_proj": self = .qProj
        case "k_proj": self = .kProj
        case "v_proj": self = .vProj
        case "o_proj": self = .oProj
        case "gate" where parts.contains("mlp"): self = .router
        case "gate_proj": self = parts.contains("experts") ? .expertGate : .gateProj
        case "up_proj": self = parts.contains("experts") ? .expertUp : .upProj
        case "down_proj": self = parts.contains("experts") ? .expertDown : .downProj
        default: self = .unknown
        }
    }

    func shape(_ config: ModelConfig) -> (rows: Int, cols: Int) {
        let hidden = config.hiddenSize
        let qWidth = config.attentionHeads * config.headDim, kvWidth = config.kvHeads * config.headDim
        switch self {
        case .embedding: return (config.vocabSize, hidden)
        case .lmHead: return (hidden, config.vocabSize)
        case .normWeight, .normBias: return (1, hidden)
        case .qProj: return (hidden, qWidth)
        case .kProj, .vProj: return (hidden, kvWidth)
        case .oProj: return (qWidth, hidden)
        case .gateProj, .upProj: return (hidden, config.intermediateSize)
        case .downProj: return (config.intermediateSize, hidden)
        case .router: return (hidden, config.experts)
        case .expertGate, .expertUp: return (hidden, config.moeIntermediateSize)
        case .expertDown: return (config.moeIntermediateSize, hidden)
        case .unknown: return (0, 0)
        }
    }

    /// Half-width of the uniform range: 1/sqrt(fan-in) keeps activations O(1) through the layers
    /// (assumed, like LeCun init); embeddings O(1); norm weights 1 ± 0.1, biases ± 0.1.
    func scale(_ config: ModelConfig) -> Float {
        switch self {
        case .embedding: return 1
        case .normWeight, .normBias: return 0.1
        case .unknown: return 0
        default: return 1 / Float(shape(config).rows).squareRoot()
        }
    }

    var offset: Float { self == .normWeight ? 1 : 0 }

    /// The format numeric emulation stores this tensor in: attention and MLP projections follow
    /// their layer class; embedding, norms, router and LM head stay FP32.
    func format(_ q: Quantisation) -> NumericFormat {
        switch self {
        case .qProj, .kProj, .vProj, .oProj: q.attentionWeights
        case .gateProj, .upProj, .downProj, .expertGate, .expertUp, .expertDown: q.mlpWeights
        default: .fp32
        }
    }
}

/// Tensor names of one layer (ModelGraph's op names), so callers never spell them by hand.
public enum TensorName {
    public static func layer(_ layer: Int, _ suffix: String) -> String { "layers.\(layer).\(suffix)" }
    public static func expert(layer: Int, expert: Int, _ projection: String) -> String {
        "layers.\(layer).mlp.experts.\(expert).\(projection)"
    }
    public static let embedding = "embed_tokens"
    public static let finalNorm = "norm"
    public static let lmHead = "lm_head"
}
