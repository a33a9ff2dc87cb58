/// Every `model_type` Tessera reads, keyed by name. Block structures follow the HF
/// `modeling_<type>.py` of each family; families with layers Tessera does not model are listed
/// with the reason, so they are refused by name instead of read as a smaller dense model.
public enum ArchitectureRegistry {
    public static func architecture(_ modelType: String) -> Architecture? { byType[modelType] }

    /// Accepted and refused families, in name order.
    public static var all: [Architecture] { byType.values.sorted { $0.modelType < $1.modelType } }

    private static let byType: [String: Architecture] = Dictionary(
        uniqueKeysWithValues: (accepted + refused).map { ($0.modelType, $0) })

    private static func family(_ type: String, _ blocks: String, _ edit: (inout Architecture) -> Void = { _ in }) -> Architecture {
        var a = Architecture(type, blocks)
        edit(&a)
        return a
    }

    private static let llamaBlock = "pre-RMSNorm, GQA + rotary, SwiGLU"
    /// GPT-2's key names.
    private static func gptKeys(_ k: inout Keys) {
        k.hidden = ["n_embd", "hidden_size"]; k.layers = ["n_layer", "num_hidden_layers"]
        k.heads = ["n_head", "num_attention_heads"]; k.kvHeads = []; k.ffn = ["n_inner"]
        k.ffnMultiple = 4; k.activation = ["activation_function"]
    }
    /// GPT-2-style LayerNorm block with biases everywhere and an ungated MLP.
    private static func gptStyle(_ a: inout Architecture) {
        a.norm = .layerNorm; a.gated = false; a.qkvBias = true; a.outputBias = true; a.mlpBias = true
    }

    static let accepted: [Architecture] = [
        family("llama", llamaBlock),
        family("granite", llamaBlock + " (multipliers change no shapes)"),
        family("mistral", llamaBlock + ", sliding window on every layer when set") { $0.window = .all },
        family("mixtral", llamaBlock + " experts (top-k), sliding window when set") { $0.moe = true; $0.window = .all },
        family("granitemoe", llamaBlock + " experts (top-k)") { $0.moe = true },
        family("qwen2", llamaBlock + ", q/k/v bias, sliding window from max_window_layers when enabled") {
            $0.qkvBias = true; $0.attentionBiasKey = nil; $0.window = .qwen
        },
        family("qwen2_moe", "qwen2 attention; MoE every decoder_sparse_step layers (mlp_only_layers dense), gated shared expert") {
            $0.qkvBias = true; $0.attentionBiasKey = nil; $0.window = .qwen; $0.moe = true
        },
        family("qwen3", llamaBlock + ", QK-norm per head") { $0.qkNorm = .perHead; $0.window = .qwen },
        family("qwen3_moe", llamaBlock + ", QK-norm per head; MoE every decoder_sparse_step layers, no shared expert") {
            $0.qkNorm = .perHead; $0.window = .qwen; $0.moe = true
        },
        family("gemma", "pre-RMSNorm, GQA + rotary, gated GELU, tied") {
            $0.keys.activation = ["hidden_activation", "hidden_act"]; $0.tiedDefault = true
        },
        family("gemma2", "sandwich RMSNorm, gated GELU, sliding window on even layers, tied") {
            $0.keys.activation = ["hidden_activation", "hidden_act"]; $0.tiedDefault = true
            $0.placement = .sandwich; $0.window = .alternate
        },
        family("gemma3_text", "sandwich RMSNorm, QK-norm per head, gated GELU, 5 sliding : 1 global, tied") {
            $0.keys.activation = ["hidden_activation", "hidden_act"]; $0.tiedDefault = true
            $0.placement = .sandwich; $0.window = .pattern; $0.qkNorm = .perHead
        },
        family("phi", "parallel attention/MLP on one LayerNorm, biases, GELU MLP, LM-head bias") {
            gptStyle(&$0); $0.parallel = true; $0.sharedNorm = true; $0.lmHeadBias = true
            $0.attentionBiasKey = nil; $0.mlpBiasKey = nil
        },
        family("phi3", llamaBlock + " (fused qkv and gate_up), sliding window when set") { $0.window = .all },
        family("phimoe", "pre-LayerNorm, GQA + rotary, attention bias, SwiGLU experts (top-k), LM-head bias") {
            $0.norm = .layerNorm; $0.moe = true; $0.window = .all; $0.lmHeadBias = true
        },
        family("gpt2", "pre-LayerNorm, MHA, learned positions, GELU MLP, biases, tied") {
            gptStyle(&$0); gptKeys(&$0.keys); $0.positions = .learned; $0.tiedDefault = true
            $0.attentionBiasKey = nil; $0.mlpBiasKey = nil
        },
        family("gpt3", "as gpt2, with llama-style key names (Brown et al. 2020; no HF class)") {
            gptStyle(&$0); $0.positions = .learned; $0.tiedDefault = true; $0.keys.ffnMultiple = 4
        },
        family("gptj", "parallel attention/MLP on one LayerNorm, rotary, GELU MLP with bias, LM-head bias") {
            gptStyle(&$0); gptKeys(&$0.keys); $0.qkvBias = false; $0.outputBias = false
            $0.parallel = true; $0.sharedNorm = true; $0.lmHeadBias = true
            $0.attentionBiasKey = nil; $0.mlpBiasKey = nil
        },
        family("gpt_neox", "parallel attention/MLP with two LayerNorms, rotary, biases, GELU MLP") {
            gptStyle(&$0); $0.parallel = true; $0.mlpBiasKey = nil
        },
        family("opt", "pre-LayerNorm, MHA, learned positions (+2 rows), ReLU MLP, biases, tied") {
            gptStyle(&$0); $0.keys.ffn = ["ffn_dim"]; $0.keys.activation = ["activation_function"]
            $0.positions = .learned; $0.positionOffset = 2; $0.tiedDefault = true
            $0.attentionBiasKey = "enable_bias"; $0.mlpBiasKey = "enable_bias"
        },
        family("bloom", "pre-LayerNorm, MHA + ALiBi, embedding LayerNorm, GELU MLP, biases, tied") {
            gptStyle(&$0); $0.keys.hidden = ["hidden_size", "n_embed"]; $0.keys.layers = ["n_layer", "num_hidden_layers"]
            $0.keys.heads = ["n_head", "num_attention_heads"]; $0.keys.kvHeads = []; $0.keys.ffn = []
            $0.keys.ffnMultiple = 4; $0.keys.activation = []; $0.positions = .alibi; $0.embeddingNorm = true
            $0.tiedDefault = true; $0.attentionBiasKey = nil; $0.mlpBiasKey = nil
        },
        family("falcon", "parallel attention/MLP (one LayerNorm, or two in the new decoder), MQA/GQA, rotary or ALiBi, GELU MLP, tied") {
            gptStyle(&$0); $0.qkvBias = false; $0.outputBias = false; $0.mlpBias = false
            $0.keys.kvHeads = ["num_kv_heads"]; $0.keys.ffn = ["ffn_hidden_size"]; $0.keys.ffnMultiple = 4
            $0.keys.activation = ["activation"]; $0.parallel = true; $0.tiedDefault = true
            $0.attentionBiasKey = "bias"; $0.mlpBiasKey = "bias"
        },
        family("starcoder2", "pre-LayerNorm, GQA + rotary, GELU MLP, biases (use_bias), sliding window when set, tied") {
            gptStyle(&$0); $0.attentionBiasKey = "use_bias"; $0.mlpBiasKey = "use_bias"
            $0.window = .all; $0.tiedDefault = true
        },
        family("olmo", "pre-LayerNorm without parameters, MHA + rotary, SwiGLU, no biases") {
            $0.norm = .layerNorm; $0.normVectors = 0
        },
        family("olmo2", "post-RMSNorm (after attention and after MLP), QK-norm over the full width, SwiGLU") {
            $0.placement = .post; $0.qkNorm = .fullWidth
        },
        family("olmoe", "pre-RMSNorm, QK-norm over the full width, SwiGLU experts (top-k)") {
            $0.qkNorm = .fullWidth; $0.moe = true
        },
        family("deepseek_v2", "MLA, first_k_dense_replace dense layers then MoE every moe_layer_freq, shared experts") { $0.moe = true },
        family("deepseek_v3", "MLA, first_k_dense_replace dense layers then MoE, shared expert, router bias (noaux_tc)") { $0.moe = true },
        family("dbrx", "pre-LayerNorm without bias, GQA + rotary, SwiGLU experts (top-k), keys nested in attn_config/ffn_config") {
            $0.keys.hidden = ["d_model"]; $0.keys.layers = ["n_layers"]; $0.keys.heads = ["n_heads"]
            $0.keys.kvHeads = ["attn_config.kv_n_heads"]; $0.keys.ffn = ["ffn_config.ffn_hidden_size"]
            $0.keys.experts = ["ffn_config.moe_num_experts"]; $0.keys.topK = ["ffn_config.moe_top_k"]
            $0.keys.moeFFN = ["ffn_config.ffn_hidden_size"]; $0.keys.maxPositions = ["max_seq_len"]; $0.keys.activation = []
            $0.norm = .layerNorm; $0.normVectors = 1; $0.moe = true; $0.attentionBiasKey = nil; $0.mlpBiasKey = nil
        },
        family("cohere", "parallel attention/MLP on one LayerNorm without bias, GQA + rotary, SwiGLU, QK-norm when use_qk_norm, tied") {
            $0.norm = .layerNorm; $0.normVectors = 1; $0.parallel = true; $0.sharedNorm = true
            $0.tiedDefault = true; $0.qkNorm = .fullWidthIf("use_qk_norm")
        },
        family("gpt_oss", "pre-RMSNorm, GQA + rotary with attention sinks and biases, sliding/full alternating, SwiGLU experts with biases") {
            $0.moe = true; $0.window = .alternate
        },
        family("llama4_text", "pre-RMSNorm, GQA; chunked attention on rotary layers, every 4th global; MoE every interleave_moe_layer_step with a shared expert") {
            $0.moe = true; $0.window = .chunked
            $0.keys.ffn = ["intermediate_size_mlp", "intermediate_size"]; $0.keys.moeFFN = ["intermediate_size"]
        },
    ]

    private static let stateSpace = "state-space (Mamba) layers keep a constant recurrent state instead of a KV cache; Tessera models attention layers only"
    private static let hybrid = "hybrid of attention and state-space layers; Tessera models attention layers only"
    private static let linear = "linear-attention layers keep a constant state instead of a KV cache; Tessera models softmax attention only"

    static let refused: [Architecture] = [
        Architecture("mamba", "Mamba blocks", refusal: stateSpace),
        Architecture("mamba2", "Mamba-2 blocks", refusal: stateSpace),
        Architecture("falcon_mamba", "Mamba blocks", refusal: stateSpace),
        Architecture("jamba", "attention every attn_layer_period layers, Mamba otherwise, MoE", refusal: hybrid),
        Architecture("zamba", "Mamba with shared attention", refusal: hybrid),
        Architecture("zamba2", "Mamba-2 with shared attention", refusal: hybrid),
        Architecture("bamba", "Mamba-2 and attention", refusal: hybrid),
        Architecture("falcon_h1", "parallel Mamba-2 and attention", refusal: hybrid),
        Architecture("nemotron_h", "Mamba-2, attention and MLP layers", refusal: hybrid),
        Architecture("granitemoehybrid", "Mamba-2 and attention, MoE", refusal: hybrid),
        Architecture("qwen3_next", "Gated DeltaNet linear attention, 1 gated attention in 4, MoE", refusal: linear),
        Architecture("minimax", "lightning (linear) attention with softmax attention every 8th layer, MoE", refusal: linear),
        Architecture("recurrent_gemma", "RG-LRU recurrent blocks and local attention", refusal: linear),
        Architecture("rwkv", "RWKV time-mixing (recurrent)", refusal: linear),
    ]
}
