/// The MLP's shape and nonlinearity: SwiGLU and GeGLU are gated (gate, up, down; Shazeer 2020);
/// GELU is not (up, down), and stands for every ungated MLP (ReLU in OPT costs the same matmuls).
public enum Activation: String, Codable, Sendable {
    case swiglu, gelu, geglu

    public var isGated: Bool { self != .gelu }
}

/// Where a layer's norms sit: before each block (pre), before and after each (Gemma 2/3
/// sandwich), or only after each (OLMo 2).
public enum NormPlacement: String, Codable, Sendable {
    case pre, sandwich, post
}

public enum NormKind: String, Codable, Sendable {
    /// Weight only (Zhang & Sennrich 2019).
    case rmsNorm
    /// Weight and bias (Ba et al. 2016).
    case layerNorm
}

public enum PositionEncoding: String, Codable, Sendable {
    /// Rotary embeddings applied to q and k (Su et al. 2021); no parameters.
    case rotary
    /// A learned table of `maxPositions × hidden` added to the token embeddings (GPT-2/3).
    case learned
    /// A bias on the attention scores (Press et al. 2022; BLOOM, MPT): no parameters.
    case alibi
}

/// DeepSeek's multi-head latent attention (DeepSeek-V2, §2.1): low-rank q and kv projections.
public struct MLAConfig: Sendable, Hashable, Codable {
    /// nil: q comes from one full projection (DeepSeek-V2-Lite).
    public var qLoraRank: Int?
    public var kvLoraRank: Int
    public var qkRopeHeadDim: Int
    public var qkNopeHeadDim: Int
    public var vHeadDim: Int

    public init(qLoraRank: Int?, kvLoraRank: Int, qkRopeHeadDim: Int, qkNopeHeadDim: Int, vHeadDim: Int) {
        self.qLoraRank = qLoraRank
        self.kvLoraRank = kvLoraRank
        self.qkRopeHeadDim = qkRopeHeadDim
        self.qkNopeHeadDim = qkNopeHeadDim
        self.vHeadDim = vHeadDim
    }
}

/// A decoder-only transformer's shape, as read from a Hugging Face `config.json`.
public struct ModelConfig: Sendable, Hashable, Codable {
    public var modelType: String
    public var hiddenSize: Int
    /// FFN width of dense layers (Mixtral: of each expert).
    public var intermediateSize: Int
    public var layers: Int
    public var attentionHeads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var vocabSize: Int
    public var tiedEmbeddings: Bool
    /// Bias on q, k and v projections.
    public var qkvBias: Bool
    /// Bias on the attention output projection.
    public var outputBias: Bool
    /// Bias on MLP projections.
    public var mlpBias: Bool
    public var activation: Activation
    public var norm: NormKind
    public var positions: PositionEncoding
    public var maxPositions: Int
    /// Routed experts per MoE layer; 0 for a dense model.
    public var experts: Int
    public var expertsPerToken: Int
    public var sharedExperts: Int
    /// FFN width of one routed or shared expert.
    public var moeIntermediateSize: Int
    /// The first k layers use a dense MLP (DeepSeek `first_k_dense_replace`).
    public var firstDenseLayers: Int
    /// Every n-th layer after the dense ones is MoE (DeepSeek `moe_layer_freq`).
    public var moeLayerFrequency: Int
    /// The router carries a per-expert bias (DeepSeek-V3 `e_score_correction_bias`, noaux_tc).
    public var routerBias: Bool
    public var mla: MLAConfig?
    /// Rotary base (`rope_theta`, 10000 when absent) and the norm epsilon (`rms_norm_eps` or
    /// `layer_norm_epsilon`, 1e-5 when absent): numeric emulation needs them, costs do not.
    public var ropeTheta: Double = 10_000
    public var normEpsilon: Double = 1e-5
    /// RMSNorm over each head's q and k before rotary, one weight of `head_dim` shared by the
    /// heads (Qwen3 `q_norm`/`k_norm`).
    public var qkNorm: Bool
    /// Every n-th layer (1-based) is MoE (Qwen2-MoE/Qwen3-MoE `decoder_sparse_step`).
    public var decoderSparseStep: Int
    /// Layers (0-based) that keep a dense MLP in an MoE model (Qwen `mlp_only_layers`).
    public var mlpOnlyLayers: [Int]
    /// q/k norms over the full q and k width, not per head (OLMo 2, OLMoE).
    public var qkNormFullWidth: Bool
    /// Attention and MLP read the same input and add to one residual (GPT-J, Falcon, Phi, Cohere);
    /// `sharedBlockNorm`: one norm feeds both.
    public var parallelBlock: Bool
    public var sharedBlockNorm: Bool
    public var normPlacement: NormPlacement
    /// Weight vectors per norm: 2 for LayerNorm with bias, 1 for RMSNorm or a LayerNorm without
    /// bias (Cohere, DBRX), 0 for a non-parametric LayerNorm (OLMo).
    public var normVectors: Int
    public var lmHeadBias: Bool
    /// A norm right after the token embedding (BLOOM `word_embeddings_layernorm`).
    public var embeddingNorm: Bool
    /// Extra rows of the learned position table (OPT keeps 2).
    public var positionOffset: Int
    /// Biases on the routed experts' projections (gpt-oss).
    public var expertBias: Bool
    /// Width of the shared expert when not `moeIntermediateSize × sharedExperts` (Qwen2-MoE
    /// `shared_expert_intermediate_size`); 0 otherwise.
    public var sharedExpertIntermediateSize: Int
    /// A sigmoid gate (hidden → 1) on the shared expert (Qwen2-MoE).
    public var sharedExpertGate: Bool
    /// A learned logit per head added to the softmax (gpt-oss attention sinks).
    public var attentionSinks: Bool
    /// The attention window of windowed layers (sliding or chunked), and which layers have it.
    public var slidingWindow: Int?
    public var windowedLayers: [Bool]
    /// The weight dtype the file declares (`quantization_config`, else `torch_dtype`); nil when it says none.
    public var fileWeights: DType?

    public init(modelType: String = "llama", hiddenSize: Int, intermediateSize: Int, layers: Int,
                attentionHeads: Int, kvHeads: Int? = nil, headDim: Int? = nil, vocabSize: Int,
                tiedEmbeddings: Bool = false, qkvBias: Bool = false, outputBias: Bool = false,
                mlpBias: Bool = false, activation: Activation = .swiglu, norm: NormKind = .rmsNorm,
                positions: PositionEncoding = .rotary, maxPositions: Int = 4096,
                experts: Int = 0, expertsPerToken: Int = 0, sharedExperts: Int = 0,
                moeIntermediateSize: Int? = nil, firstDenseLayers: Int = 0, moeLayerFrequency: Int = 1,
                routerBias: Bool = false, mla: MLAConfig? = nil) {
        self.modelType = modelType
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layers = layers
        self.attentionHeads = attentionHeads
        self.kvHeads = kvHeads ?? attentionHeads
        self.headDim = headDim ?? hiddenSize / max(attentionHeads, 1)
        self.vocabSize = vocabSize
        self.tiedEmbeddings = tiedEmbeddings
        self.qkvBias = qkvBias
        self.outputBias = outputBias
        self.mlpBias = mlpBias
        self.activation = activation
        self.norm = norm
        self.positions = positions
        self.maxPositions = maxPositions
        self.experts = experts
        self.expertsPerToken = expertsPerToken
        self.sharedExperts = sharedExperts
        self.moeIntermediateSize = moeIntermediateSize ?? intermediateSize
        self.firstDenseLayers = firstDenseLayers
        self.moeLayerFrequency = moeLayerFrequency
        self.routerBias = routerBias
        self.mla = mla
        qkNorm = false
        decoderSparseStep = 1
        mlpOnlyLayers = []
        qkNormFullWidth = false
        parallelBlock = false
        sharedBlockNorm = false
        normPlacement = .pre
        normVectors = norm == .rmsNorm ? 1 : 2
        lmHeadBias = false
        embeddingNorm = false
        positionOffset = 0
        expertBias = false
        sharedExpertIntermediateSize = 0
        sharedExpertGate = false
        attentionSinks = false
        slidingWindow = nil
        windowedLayers = []
        fileWeights = nil
    }

    /// Positions a token of `layer` attends to at most: the window for windowed layers, nil (all) otherwise.
    public func attentionWindow(layer: Int) -> Int? {
        windowedLayers.indices.contains(layer) && windowedLayers[layer] ? slidingWindow : nil
    }

    /// Dtypes to plan with when no flag says otherwise: weights as the file declares them
    /// (bf16 when it declares none or fp32), activations and KV cache bf16.
    public var defaultPrecision: Precision {
        var p = Precision.bf16
        if let w = fileWeights, w != .fp32 { p.weights = w }
        return p
    }

    public var isMoE: Bool { experts > 0 }

    /// Whether layer `index` (0-based) uses the MoE MLP (HF DeepSeek-V3 modeling rule).
    /// Qwen-MoE rule (HF modeling_qwen3_moe.py): not in `mlp_only_layers` and
    /// `(index + 1) % decoder_sparse_step == 0`.
    public func isMoELayer(_ index: Int) -> Bool {
        isMoE && index >= firstDenseLayers && index % moeLayerFrequency == 0
            && (index + 1) % max(decoderSparseStep, 1) == 0 && !mlpOnlyLayers.contains(index)
    }

    /// KV-cache elements one token adds in one layer: K and V of every KV head, or MLA's
    /// compressed latent plus the shared rope key (DeepSeek-V2, §2.1.2).
    public var kvCacheElementsPerTokenPerLayer: Int {
        if let mla { return mla.kvLoraRank + mla.qkRopeHeadDim }
        return 2 * kvHeads * headDim
    }
}
