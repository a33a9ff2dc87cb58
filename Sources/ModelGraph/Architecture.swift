/// How one decoder family (`model_type`) writes its `config.json` and what its block looks like.
/// The reader in `ModelConfig+JSON.swift` interprets these fields; `ArchitectureRegistry` lists them.
public struct Architecture: Sendable {
    public let modelType: String
    /// The block structure in words, for `tessera model --list-architectures`.
    public let blocks: String
    /// Why the family is refused (layers Tessera does not model); nil when it is accepted.
    public let refusal: String?
    var keys = Keys()
    var gated = true
    var norm: NormKind = .rmsNorm
    /// Weight vectors per norm when not the norm's own (1 for RMSNorm, 2 for LayerNorm).
    var normVectors: Int?
    var positions: PositionEncoding = .rotary
    var qkvBias = false, outputBias = false, mlpBias = false, lmHeadBias = false
    /// The key that switches the q/k/v and output biases on (`attention_bias`, Falcon `bias`).
    var attentionBiasKey: String? = "attention_bias"
    var mlpBiasKey: String? = "mlp_bias"
    var parallel = false, sharedNorm = false
    var placement: NormPlacement = .pre
    var qkNorm: QKNormRule = .none
    var tiedDefault = false
    var embeddingNorm = false
    var positionOffset = 0
    var window: WindowRule = .none
    var moe = false

    init(_ modelType: String, _ blocks: String, refusal: String? = nil) {
        self.modelType = modelType
        self.blocks = blocks
        self.refusal = refusal
    }

    /// The config keys this family reads, aliases separated by `/`.
    public var keysRead: [String] {
        var list = [keys.hidden, keys.layers, keys.heads, keys.kvHeads, keys.ffn, keys.vocab, keys.activation,
                    keys.maxPositions, ["head_dim"], ["tie_word_embeddings"]]
        if moe { list += [keys.experts, keys.topK, keys.moeFFN] }
        if let k = attentionBiasKey { list.append([k]) }
        if let k = mlpBiasKey { list.append([k]) }
        switch window {
        case .none: break
        case .all: list.append(["sliding_window"])
        case .qwen: list.append(["use_sliding_window", "max_window_layers", "sliding_window"])
        case .alternate, .pattern: list.append(["layer_types", "sliding_window", "sliding_window_pattern"])
        case .chunked: list.append(["layer_types", "attention_chunk_size", "no_rope_layers"])
        }
        return list.filter { !$0.isEmpty }.map { $0.joined(separator: "/") }
    }
}

/// Key aliases, first preferred; a dotted alias reads a nested object (`ffn_config.moe_top_k`).
struct Keys: Sendable {
    var hidden = ["hidden_size"]
    var layers = ["num_hidden_layers"]
    var heads = ["num_attention_heads"]
    var kvHeads = ["num_key_value_heads"]
    var ffn = ["intermediate_size"]
    /// When no `ffn` key has a value: FFN width = this × hidden (GPT-2 `n_inner` null → 4·n_embd).
    var ffnMultiple: Int?
    var vocab = ["vocab_size"]
    /// Empty: the family's activation is fixed (DBRX nests it).
    var activation = ["hidden_act"]
    var maxPositions = ["max_position_embeddings", "n_positions"]
    var experts = ["num_local_experts", "num_experts", "n_routed_experts"]
    var topK = ["num_experts_per_tok"]
    var moeFFN = ["moe_intermediate_size"]
}

/// QK-norm: none, one weight of head_dim per q and k (Qwen3, Gemma 3), or one over the full q/k
/// width (OLMo 2, OLMoE; Cohere when `use_qk_norm`).
enum QKNormRule: Sendable {
    case none, perHead, fullWidth, fullWidthIf(String)
}

/// Which layers attend within a window. `layer_types` (newer configs) wins over the rule.
enum WindowRule: Sendable {
    case none
    /// Every layer, when `sliding_window` is set (Mistral, Mixtral, Phi-3, Starcoder2).
    case all
    /// Layers from `max_window_layers` on, when `use_sliding_window` (Qwen2/3).
    case qwen
    /// Even layers slide (Gemma 2: `is_sliding = not layer_idx % 2`).
    case alternate
    /// All but every `sliding_window_pattern`-th layer slide (Gemma 3).
    case pattern
    /// Rotary layers attend in chunks of `attention_chunk_size`; every `no_rope_layer_interval`-th
    /// layer is global (Llama 4). A chunk caps the positions attended as a window does.
    case chunked
}
