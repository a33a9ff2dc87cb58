/// The MLP's nonlinearity: SwiGLU is gated (gate, up, down); GELU is not (up, down).
public enum Activation: String, Codable, Sendable {
    case swiglu, gelu
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
