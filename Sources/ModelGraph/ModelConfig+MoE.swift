/// The mixture-of-experts, MLA and per-family keys of a `config.json`.
extension ModelConfig {
    /// Experts under the family's aliases (Mixtral `num_local_experts`, Qwen `num_experts`,
    /// DeepSeek `n_routed_experts`, DBRX `ffn_config.moe_num_experts`); DeepSeek's dense-first
    /// layers and `moe_layer_freq`; Qwen's `decoder_sparse_step` and `mlp_only_layers`.
    mutating func readMoE(_ json: JSONObjectReader, keys: Keys) throws(ModelGraphError) {
        guard let experts = try json.optionalInt(anyOf: keys.experts) else {
            throw .missingKey(file: json.file, key: keys.experts.joined(separator: "/"), expected: "the number of experts")
        }
        let topK = try json.int(anyOf: keys.topK)
        guard topK <= experts else {
            throw .invalidValue(file: json.file, key: keys.topK[0], value: "\(topK)", expected: "at most the \(experts) experts")
        }
        let firstDense = try json.optionalInt("first_k_dense_replace", minimum: 0) ?? 0
        guard firstDense <= layers else {
            throw .invalidValue(file: json.file, key: "first_k_dense_replace", value: "\(firstDense)",
                                expected: "at most num_hidden_layers \(layers)")
        }
        self.experts = experts
        expertsPerToken = topK
        sharedExperts = try json.optionalInt("n_shared_experts", minimum: 0) ?? 0
        moeIntermediateSize = try json.optionalInt(anyOf: keys.moeFFN) ?? intermediateSize
        firstDenseLayers = firstDense
        moeLayerFrequency = try json.optionalInt("moe_layer_freq") ?? 1
        routerBias = try json.optionalString("topk_method") == "noaux_tc"
        decoderSparseStep = try json.optionalInt(anyOf: ["decoder_sparse_step", "interleave_moe_layer_step"]) ?? 1
        mlpOnlyLayers = try json.optionalIntArray("mlp_only_layers") ?? []
        if let moeLayers = try json.optionalIntArray("moe_layers") {
            mlpOnlyLayers = (0..<layers).filter { !moeLayers.contains($0) }
            decoderSparseStep = 1
        }
        for (i, layer) in mlpOnlyLayers.enumerated() where !(0..<layers).contains(layer) {
            throw .invalidValue(file: json.file, key: "mlp_only_layers[\(i)]", value: "\(layer)",
                                expected: "a layer index in 0..<\(layers)")
        }
    }

    /// MLA is present when `kv_lora_rank` is; `q_lora_rank` may be null (direct q projection).
    mutating func readMLA(_ json: JSONObjectReader) throws(ModelGraphError) {
        guard let kvLoraRank = try json.optionalInt("kv_lora_rank") else { return }
        let mla = MLAConfig(qLoraRank: try json.optionalInt("q_lora_rank"), kvLoraRank: kvLoraRank,
                            qkRopeHeadDim: try json.int("qk_rope_head_dim"),
                            qkNopeHeadDim: try json.int("qk_nope_head_dim"),
                            vHeadDim: try json.int("v_head_dim"))
        self.mla = mla
        headDim = mla.qkNopeHeadDim + mla.qkRopeHeadDim
    }

    /// Block details one family keeps under its own keys (HF modeling_<type>.py of each); read
    /// after `readMoE`, whose `n_shared_experts` these override.
    mutating func readFamilySpecifics(_ json: JSONObjectReader, arch: Architecture) throws(ModelGraphError) {
        switch modelType {
        case "falcon":
            // The new decoder (40B/180B) has ln_attn and ln_mlp unless num_ln_in_parallel_attn is 1.
            parallelBlock = try json.optionalBool("parallel_attn") ?? true
            let newDecoder = try json.optionalBool("new_decoder_architecture") ?? false
            let norms = try json.optionalInt("num_ln_in_parallel_attn") ?? 2
            sharedBlockNorm = parallelBlock && (!newDecoder || norms == 1)
        case "gpt_neox":
            parallelBlock = try json.optionalBool("use_parallel_residual") ?? true
        case "gpt_oss":
            attentionSinks = true
            expertBias = true
            routerBias = true
        case "qwen2_moe":
            let width = try json.optionalInt("shared_expert_intermediate_size", minimum: 0) ?? 0
            sharedExpertIntermediateSize = width
            sharedExperts = width > 0 ? 1 : 0
            sharedExpertGate = width > 0
        case "llama4_text":
            sharedExperts = 1
        default:
            break
        }
    }
}
