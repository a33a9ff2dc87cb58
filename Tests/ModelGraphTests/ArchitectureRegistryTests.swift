import Foundation
import Testing
@testable import ModelGraph

/// Every registered family read from its class-default config.json and counted against the
/// parameters `transformers` builds for it. References: Fixtures/architectures/reference-counts.json,
/// written by scripts/architecture-references.py with transformers 5.24.0 and torch 2.13.0+cpu
/// (meta device, `sum(p.numel() for p in model.parameters())`, a tied head counted once).
@Suite struct ArchitectureRegistryTests {
    @Test(arguments: [
        ("bloom", 16_156_544),
        ("cohere", 34_980_831_232),
        ("deepseek_v3", 671_026_404_352),
        ("falcon", 6_921_720_704),
        ("gemma", 8_537_680_896),
        ("gemma2", 2_614_341_888),
        ("gemma3_text", 2_628_658_432),
        ("gpt2", 124_439_808),
        ("gpt_neox", 20_554_567_680),
        ("gpt_oss", 116_829_156_672),
        ("gptj", 6_050_882_784),
        ("granite", 6_738_415_616),
        ("granitemoe", 37_039_116_288),
        ("llama", 6_738_415_616),
        ("llama4_text", 107_769_861_120),
        ("mistral", 7_241_732_096),
        ("mixtral", 46_702_792_704),
        ("olmo", 6_888_095_744),
        ("olmo2", 6_888_624_128),
        ("olmoe", 13_361_612_800),
        ("opt", 125_239_296),
        ("phi", 1_418_270_720),
        ("phi3", 3_821_079_552),
        ("phimoe", 41_872_793_600),
        ("qwen2", 12_049_846_272),
        ("qwen2_moe", 14_315_784_192),
        ("qwen3", 12_049_461_248),
        ("qwen3_moe", 15_350_731_776),
        ("starcoder2", 3_030_371_328),
    ])
    func classDefaultMatchesTransformers(modelType: String, reference: Int) throws {
        let graph = try ModelGraph.load(path: Fixtures.architecture(modelType))
        #expect(graph.config.modelType == modelType)
        // The acceptance bound is 0.5%; every family is in fact exact.
        #expect(graph.totalParameters == reference, "\(modelType): \(graph.totalParameters) vs \(reference)")
    }

    /// The class default of deepseek_v2 leaves `num_experts_per_tok` null: refused as null, not
    /// as missing. With DeepSeek-V2's top-6 (HF deepseek-ai/DeepSeek-V2) it counts as transformers does.
    @Test func deepseekV2NullTopK() throws {
        let path = Fixtures.architecture("deepseek_v2")
        #expect(throws: ModelGraphError.nullValue(file: path, key: "num_experts_per_tok", expected: "a positive integer")) {
            try ModelGraph.load(path: path)
        }
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"num_experts_per_tok\": null", with: "\"num_experts_per_tok\": 6")
        let graph = try ModelGraph.load(path: Fixtures.temporaryFile(text))
        #expect(graph.totalParameters == 38_612_307_968)
    }

    /// transformers 5.24 cannot build DBRX's class default, so DBRX is counted by hand from
    /// databricks/dbrx-base's config (132 B total in its model card): per layer Wqkv
    /// 6144·(6144 + 2·8·128), out 6144², two bias-free LayerNorms 2·6144, router 6144·16,
    /// 16 experts of 3·6144·10752; 40 layers; embedding and head 2·100352·6144; final norm 6144.
    @Test func dbrxByHand() throws {
        let text = """
        {"model_type": "dbrx", "d_model": 6144, "n_heads": 48, "n_layers": 40, "max_seq_len": 32768,
         "vocab_size": 100352, "tie_word_embeddings": false,
         "attn_config": {"kv_n_heads": 8, "rope_theta": 500000},
         "ffn_config": {"ffn_hidden_size": 10752, "moe_num_experts": 16, "moe_top_k": 4}}
        """
        let graph = try ModelGraph.load(path: Fixtures.temporaryFile(text))
        let perLayer = 6144 * 8192 + 6144 * 6144 + 2 * 6144 + 6144 * 16 + 16 * 3 * 6144 * 10752
        #expect(graph.totalParameters == 40 * perLayer + 2 * 100_352 * 6144 + 6144)
        #expect(graph.totalParameters == 131_596_523_520)
        #expect(abs(Double(graph.totalParameters) / 132e9 - 1) <= 0.005)
    }

    @Test func issueFamiliesAreAllAccepted() {
        let families = ["llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
                        "gemma3_text", "phi", "phi3", "phimoe", "gpt2", "gptj", "gpt_neox", "opt", "bloom", "falcon",
                        "starcoder2", "olmo", "olmo2", "olmoe", "deepseek_v2", "deepseek_v3", "dbrx", "cohere", "granite",
                        "granitemoe", "gpt_oss", "llama4_text"]
        let accepted = families.filter { ArchitectureRegistry.architecture($0).map { $0.refusal == nil } ?? false }
        #expect(accepted == families)
        #expect(ArchitectureRegistry.all.filter { $0.refusal == nil }.count == 32)
        #expect(ArchitectureRegistry.all.filter { $0.refusal != nil }.count == 14)
    }

    @Test(arguments: ["mamba", "jamba", "qwen3_next", "minimax"])
    func stateSpaceAndLinearAttentionAreRefusedByName(modelType: String) throws {
        let path = try Fixtures.temporaryFile(Fixtures.llamaConfigText(["model_type": "\"\(modelType)\""]))
        let error = #expect(throws: ModelGraphError.self) { try ModelGraph.load(path: path) }
        guard case .unsupportedArchitecture(let file, let type, let reason)? = error else {
            Issue.record("expected unsupportedArchitecture, got \(String(describing: error))")
            return
        }
        #expect(file == path && type == modelType)
        #expect(reason.contains("state") && reason.contains("models"))
        #expect(error?.description.hasPrefix("\(path): model_type `\(modelType)` is not supported: ") == true)
    }

    @Test func unknownModelTypeNamesItAndTheAcceptedOnes() throws {
        let path = try Fixtures.temporaryFile(Fixtures.llamaConfigText(["model_type": "\"t5\""]))
        let error = #expect(throws: ModelGraphError.self) { try ModelGraph.load(path: path) }
        #expect(error?.description.hasPrefix("\(path): model_type `t5` is not supported: unknown model type (accepted: bloom, cohere,") == true)
    }

    /// Expert keys on a dense family are refused, not ignored (the issue's silent 85–96% shortfall).
    @Test func expertKeysOnADenseFamilyAreRefused() throws {
        let path = try Fixtures.temporaryFile(Fixtures.llamaConfigText(["num_local_experts": "8", "num_experts_per_tok": "2"]))
        #expect(throws: ModelGraphError.unsupportedArchitecture(
            file: path, modelType: "llama",
            reason: "the file sets `num_local_experts`, but llama has no mixture-of-experts layers (use the family's MoE model_type)")) {
            try ModelGraph.load(path: path)
        }
    }

    @Test func nullIsReportedAsNull() throws {
        let path = try Fixtures.temporaryFile(Fixtures.llamaConfigText(["hidden_size": "null"]))
        #expect(throws: ModelGraphError.nullValue(file: path, key: "hidden_size", expected: "a positive integer")) {
            try ModelGraph.load(path: path)
        }
        let gpt2 = try Fixtures.temporaryFile(#"{"model_type": "gpt2", "n_layer": 2, "n_head": 2, "vocab_size": 10, "n_positions": 8, "activation_function": "gelu_new"}"#)
        #expect(throws: ModelGraphError.missingKey(file: gpt2, key: "n_embd (or hidden_size)", expected: "a positive integer")) {
            try ModelGraph.load(path: gpt2)
        }
    }

    @Test func keysReadNameTheAliases() throws {
        let gpt2 = try #require(ArchitectureRegistry.architecture("gpt2"))
        #expect(gpt2.keysRead.prefix(3) == ["n_embd/hidden_size", "n_layer/num_hidden_layers", "n_head/num_attention_heads"])
        let dbrx = try #require(ArchitectureRegistry.architecture("dbrx"))
        #expect(dbrx.keysRead.contains("ffn_config.moe_num_experts"))
    }
}
