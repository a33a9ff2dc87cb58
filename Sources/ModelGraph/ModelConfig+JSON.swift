/// Reading a Hugging Face `config.json`. Keys starting with `_` are documentation; other keys the
/// builder does not use (HF configs carry many) are ignored.
extension ModelConfig {
    /// `model_type`s with LayerNorm, learned positions and biases everywhere (GPT-2 and GPT-3).
    static let gptStyleModelTypes: Set<String> = ["gpt2", "gpt3"]

    public static func load(path: String) throws(ModelGraphError) -> ModelConfig {
        try ModelConfig(reading: JSONValue.loadObject(path: path))
    }

    init(reading json: JSONObjectReader) throws(ModelGraphError) {
        let modelType = try json.string("model_type")
        let gptStyle = Self.gptStyleModelTypes.contains(modelType)
        let hidden = try json.int("hidden_size")
        let heads = try json.int("num_attention_heads")
        let kvHeads = try json.optionalInt("num_key_value_heads") ?? heads
        let headDim: Int
        if let given = try json.optionalInt("head_dim") {
            headDim = given
        } else if hidden % heads == 0 {
            headDim = hidden / heads
        } else {
            throw .missingKey(file: json.file, key: "head_dim",
                              expected: "a positive integer, since hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)")
        }
        let layers = try json.int("num_hidden_layers")
        let attentionBias = try json.optionalBool("attention_bias")
        // Qwen2 always has q/k/v bias and no o_proj bias, with no config key for it (HF modeling_qwen2.py).
        let qwenBias = modelType == "qwen2" && attentionBias == nil
        var maxPositions = try json.optionalInt("max_position_embeddings")
        if maxPositions == nil { maxPositions = try json.optionalInt("n_positions") }
        if gptStyle && maxPositions == nil {
            throw .missingKey(file: json.file, key: "max_position_embeddings", expected: "a positive integer (learned positions)")
        }
        let theta = try json.optionalPositiveDouble("rope_theta")
        let rmsEpsilon = try json.optionalPositiveDouble("rms_norm_eps")
        let layerEpsilon = try json.optionalPositiveDouble("layer_norm_epsilon")
        let epsilon = rmsEpsilon ?? layerEpsilon
        self.init(
            modelType: modelType, hiddenSize: hidden, intermediateSize: try json.int("intermediate_size"),
            layers: layers, attentionHeads: heads, kvHeads: kvHeads, headDim: headDim,
            vocabSize: try json.int("vocab_size"),
            tiedEmbeddings: try json.optionalBool("tie_word_embeddings") ?? false,
            qkvBias: qwenBias || (attentionBias ?? gptStyle), outputBias: attentionBias ?? gptStyle,
            mlpBias: try json.optionalBool("mlp_bias") ?? gptStyle,
            activation: try Self.activation(json), norm: gptStyle || json.has("layer_norm_epsilon") ? .layerNorm : .rmsNorm,
            positions: gptStyle ? .learned : .rotary, maxPositions: maxPositions ?? 0)
        ropeTheta = theta ?? 10_000
        normEpsilon = epsilon ?? 1e-5
        // Qwen3 normalises each head's q and k (HF modeling_qwen3.py `q_norm`, `k_norm`).
        qkNorm = ["qwen3", "qwen3_moe"].contains(modelType)
        try readMoE(json)
        try readMLA(json)
        if mla == nil && heads % kvHeads != 0 {
            throw .invalidValue(file: json.file, key: "num_key_value_heads", value: "\(kvHeads)",
                                expected: "a divisor of num_attention_heads \(heads)")
        }
    }

    private static func activation(_ json: JSONObjectReader) throws(ModelGraphError) -> Activation {
        let name = try json.string("hidden_act")
        switch name {
        case "silu", "swish": return .swiglu
        case "gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh": return .gelu
        default:
            throw .invalidValue(file: json.file, key: "hidden_act", value: "`\(name)`",
                                expected: "silu or swish (SwiGLU), gelu, gelu_new, gelu_fast or gelu_pytorch_tanh")
        }
    }

    /// Mixtral names experts `num_local_experts`; DeepSeek `n_routed_experts` plus shared experts;
    /// Qwen-MoE `num_experts` with `decoder_sparse_step` and `mlp_only_layers`.
    private mutating func readMoE(_ json: JSONObjectReader) throws(ModelGraphError) {
        let expertsKey = ["num_local_experts", "n_routed_experts", "num_experts"].first { json.has($0) } ?? "num_experts"
        guard let experts = try json.optionalInt(expertsKey) else { return }
        let topK = try json.int("num_experts_per_tok")
        guard topK <= experts else {
            throw .invalidValue(file: json.file, key: "num_experts_per_tok", value: "\(topK)",
                                expected: "at most \(expertsKey) \(experts)")
        }
        let firstDense = try json.optionalInt("first_k_dense_replace", minimum: 0) ?? 0
        guard firstDense <= layers else {
            throw .invalidValue(file: json.file, key: "first_k_dense_replace", value: "\(firstDense)",
                                expected: "at most num_hidden_layers \(layers)")
        }
        self.experts = experts
        expertsPerToken = topK
        sharedExperts = try json.optionalInt("n_shared_experts", minimum: 0) ?? 0
        moeIntermediateSize = try json.optionalInt("moe_intermediate_size") ?? intermediateSize
        firstDenseLayers = firstDense
        moeLayerFrequency = try json.optionalInt("moe_layer_freq") ?? 1
        routerBias = try json.optionalString("topk_method") == "noaux_tc"
        decoderSparseStep = try json.optionalInt("decoder_sparse_step") ?? 1
        mlpOnlyLayers = try json.optionalIntArray("mlp_only_layers") ?? []
        for (i, layer) in mlpOnlyLayers.enumerated() where !(0..<layers).contains(layer) {
            throw .invalidValue(file: json.file, key: "mlp_only_layers[\(i)]", value: "\(layer)",
                                expected: "a layer index in 0..<\(layers)")
        }
    }

    /// MLA is present when `kv_lora_rank` is; `q_lora_rank` may be null (direct q projection).
    private mutating func readMLA(_ json: JSONObjectReader) throws(ModelGraphError) {
        guard let kvLoraRank = try json.optionalInt("kv_lora_rank") else { return }
        let mla = MLAConfig(qLoraRank: try json.optionalInt("q_lora_rank"), kvLoraRank: kvLoraRank,
                            qkRopeHeadDim: try json.int("qk_rope_head_dim"),
                            qkNopeHeadDim: try json.int("qk_nope_head_dim"),
                            vHeadDim: try json.int("v_head_dim"))
        self.mla = mla
        headDim = mla.qkNopeHeadDim + mla.qkRopeHeadDim
    }
}
