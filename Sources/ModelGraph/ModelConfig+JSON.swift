/// Reading a Hugging Face `config.json` through the family's entry in `ArchitectureRegistry`.
/// Keys starting with `_` are documentation; keys the family does not read are ignored.
extension ModelConfig {
    public static func load(path: String) throws(ModelGraphError) -> ModelConfig {
        try ModelConfig(reading: JSONValue.loadObject(path: path))
    }

    init(reading json: JSONObjectReader) throws(ModelGraphError) {
        let modelType = try json.string("model_type")
        guard let arch = ArchitectureRegistry.architecture(modelType) else {
            let known = ArchitectureRegistry.all.filter { $0.refusal == nil }.map(\.modelType)
            throw .unsupportedArchitecture(file: json.file, modelType: modelType,
                                           reason: "unknown model type (accepted: \(known.joined(separator: ", ")))")
        }
        if let refusal = arch.refusal {
            throw .unsupportedArchitecture(file: json.file, modelType: modelType, reason: refusal)
        }
        let k = arch.keys
        let hidden = try json.int(anyOf: k.hidden)
        let heads = try json.int(anyOf: k.heads)
        let kvHeads = try Self.kvHeads(json, arch: arch, heads: heads)
        let headDim: Int
        if let given = try json.optionalInt("head_dim") {
            headDim = given
        } else if hidden % heads == 0 {
            headDim = hidden / heads
        } else {
            throw .missingKey(file: json.file, key: "head_dim",
                              expected: "a positive integer, since the hidden size \(hidden) is not a multiple of the \(heads) heads")
        }
        let layers = try json.int(anyOf: k.layers)
        let ffn: Int
        if let multiple = k.ffnMultiple, try json.optionalInt(anyOf: k.ffn) == nil {
            ffn = multiple * hidden
        } else {
            ffn = try json.int(anyOf: k.ffn)
        }
        let attentionBias = try arch.attentionBiasKey.map { key throws(ModelGraphError) in try json.optionalBool(key) } ?? nil
        let mlpBias = try arch.mlpBiasKey.map { key throws(ModelGraphError) in try json.optionalBool(key) } ?? nil
        let maxPositions = try json.optionalInt(anyOf: k.maxPositions)
        if arch.positions == .learned && maxPositions == nil {
            throw .missingKey(file: json.file, key: k.maxPositions.joined(separator: "/"), expected: "a positive integer (learned positions)")
        }
        let norm = arch.norm
        self.init(
            modelType: modelType, hiddenSize: hidden, intermediateSize: ffn,
            layers: layers, attentionHeads: heads, kvHeads: kvHeads, headDim: headDim,
            vocabSize: try json.int(anyOf: k.vocab),
            tiedEmbeddings: try json.optionalBool("tie_word_embeddings") ?? arch.tiedDefault,
            qkvBias: attentionBias ?? arch.qkvBias, outputBias: attentionBias ?? arch.outputBias,
            mlpBias: mlpBias ?? arch.mlpBias,
            activation: try Self.activation(json, arch: arch), norm: norm,
            positions: try Self.positions(json, arch: arch), maxPositions: maxPositions ?? 0)
        // Before anything is built per layer: windows and MoE frequencies make one entry a layer
        // (1e9 layers took minutes here before the bound further down was reached).
        try checkLayerCount(file: json.file, layersKey: k.layers.first ?? "num_hidden_layers")
        ropeTheta = try json.optionalPositiveDouble("rope_theta") ?? 10_000
        var epsilon: Double?
        for key in ["rms_norm_eps", "layer_norm_epsilon", "layer_norm_eps"] where epsilon == nil {
            epsilon = try json.optionalPositiveDouble(key)
        }
        normEpsilon = epsilon ?? 1e-5
        normVectors = arch.normVectors ?? (norm == .rmsNorm ? 1 : 2)
        parallelBlock = arch.parallel
        sharedBlockNorm = arch.sharedNorm
        normPlacement = arch.placement
        lmHeadBias = try json.optionalBool("lm_head_bias") ?? arch.lmHeadBias
        embeddingNorm = arch.embeddingNorm
        positionOffset = arch.positionOffset
        try readQKNorm(json, rule: arch.qkNorm)
        if arch.moe { try readMoE(json, keys: k) } else { try Self.rejectExperts(json, modelType: modelType) }
        try readFamilySpecifics(json, arch: arch)
        try readMLA(json)
        try readWindows(json, rule: arch.window)
        fileWeights = try Self.fileWeights(json)
        try checkWork(file: json.file, layersKey: k.layers.first ?? "num_hidden_layers")
        if mla == nil && heads % self.kvHeads != 0 {
            throw .invalidValue(file: json.file, key: k.kvHeads.first ?? "num_key_value_heads", value: "\(self.kvHeads)",
                                expected: "a divisor of \(k.heads.first ?? "num_attention_heads") \(heads)")
        }
    }

    /// Falcon: one KV head with `multi_query` unless the new decoder architecture names `num_kv_heads`.
    private static func kvHeads(_ json: JSONObjectReader, arch: Architecture, heads: Int) throws(ModelGraphError) -> Int {
        let newDecoder = try json.optionalBool("new_decoder_architecture") ?? false
        if arch.modelType == "falcon" && !newDecoder {
            let multiQuery = try json.optionalBool("multi_query") ?? true
            return multiQuery ? 1 : heads
        }
        return try json.optionalInt(anyOf: arch.keys.kvHeads) ?? heads
    }

    /// Gated families take SwiGLU for silu and GeGLU for the GELUs; ungated ones take the
    /// two-matrix MLP for any of them (the matmuls are the cost; the nonlinearity is not).
    private static func activation(_ json: JSONObjectReader, arch: Architecture) throws(ModelGraphError) -> Activation {
        guard !arch.keys.activation.isEmpty else { return arch.gated ? .swiglu : .gelu }
        let key = arch.keys.activation.first { json.has($0) } ?? arch.keys.activation[0]
        let name = try json.string(key)
        let silu = ["silu", "swish"], gelu = ["gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh", "gelu_10"]
        if arch.gated && silu.contains(name) { return .swiglu }
        if arch.gated && gelu.contains(name) { return .geglu }
        if !arch.gated && (gelu + silu + ["relu"]).contains(name) { return .gelu }
        throw .invalidValue(file: json.file, key: key, value: "`\(name)`",
                            expected: (arch.gated ? silu + gelu : gelu + silu + ["relu"]).joined(separator: ", "))
    }

    /// Falcon chooses ALiBi or rotary with `alibi`; the others have one scheme.
    private static func positions(_ json: JSONObjectReader, arch: Architecture) throws(ModelGraphError) -> PositionEncoding {
        if arch.modelType == "falcon" { return try json.optionalBool("alibi") == true ? .alibi : .rotary }
        return arch.positions
    }

    private mutating func readQKNorm(_ json: JSONObjectReader, rule: QKNormRule) throws(ModelGraphError) {
        switch rule {
        case .none: break
        case .perHead: qkNorm = true
        case .fullWidth: qkNorm = true; qkNormFullWidth = true
        case .fullWidthIf(let key):
            qkNorm = try json.optionalBool(key) ?? false
            qkNormFullWidth = qkNorm
        }
    }

    /// An expert key in a family without experts is refused rather than ignored.
    private static func rejectExperts(_ json: JSONObjectReader, modelType: String) throws(ModelGraphError) {
        for key in ["num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"] where json.has(key) {
            if key == "num_experts", try json.optionalInt(key, minimum: 0) == 0 { continue }
            throw .unsupportedArchitecture(file: json.file, modelType: modelType,
                                           reason: "the file sets `\(key)`, but \(modelType) has no mixture-of-experts layers (use the family's MoE model_type)")
        }
    }

    func checkLayerCount(file: String, layersKey: String) throws(ModelGraphError) {
        guard layers <= 10_000 else {
            throw .invalidValue(file: file, key: layersKey, value: "\(layers)",
                                expected: "at most 10000 layers (the largest supported: the graph holds every layer's ops)")
        }
    }

    /// Bounded work before any arithmetic: at most 10^4 layers (the graph holds every layer's ops;
    /// the largest shipped model has 126), and sizes whose parameter count, in floating point,
    /// stays under 2^50 (about 1.1e15, a thousand times a 1-trillion-parameter model), so every
    /// integer count and byte product derived from them fits 64 bits.
    func checkWork(file: String, layersKey: String, hiddenKey: String = "hidden_size") throws(ModelGraphError) {
        try checkLayerCount(file: file, layersKey: layersKey)
        let attention = Double(attentionHeads + 2 * kvHeads) * Double(headDim) + Double(attentionHeads) * Double(headDim)
        let mlp = 3 * Double(max(intermediateSize, moeIntermediateSize)) * Double(max(1, experts + 1))
        let parameters = Double(layers) * Double(hiddenSize) * (attention + mlp) + 2 * Double(vocabSize) * Double(hiddenSize)
        guard parameters <= 0x1p50 else {
            throw .invalidValue(file: file, key: hiddenKey, value: "\(hiddenSize)",
                                expected: "sizes whose parameter count stays under 2^50 (about 1.1e15; these give \(parameters))")
        }
    }
}
