import Testing
@testable import ModelGraph

/// Qwen3-MoE read with the Hub's keys (`num_experts`, `moe_intermediate_size`, `head_dim`,
/// `decoder_sparse_step`, `mlp_only_layers`) and QK-norm; LLaMA v1 7B. Figures worked by hand.
@Suite struct Qwen3MoETests {
    /// Per layer: q 2048·4096, k and v 2048·512, o 4096·2048 (18,874,368); q/k norm 2·128;
    /// two norms 2·2048; router 2048·128; 128 experts of 3·2048·768 (603,979,776).
    /// Embedding and head 2 · 151936 · 2048; final norm 2048.
    @Test func qwen3_30B_A3B() throws {
        let graph = try Fixtures.graph("qwen3-30b-a3b.json")
        #expect(graph.config.experts == 128 && graph.config.expertsPerToken == 8)
        #expect(graph.config.moeIntermediateSize == 768 && graph.config.headDim == 128)
        #expect(graph.layerSummaries.filter(\.isMoE).count == 48)
        #expect(graph.layerSummaries[0].parameters == 623_120_640)
        #expect(graph.totalParameters == 48 * 623_120_640 + 2 * 151_936 * 2048 + 2048)
        #expect(graph.totalParameters == 30_532_122_624)
        // Active: the experts count 8 of 128.
        #expect(graph.activeParameters == 48 * (623_120_640 - 120 * 4_718_592) + 2 * 151_936 * 2048 + 2048)
        #expect(graph.activeParameters == 3_353_032_704)
    }

    /// Per layer: attention 71,303,168; q/k norm 256; norms 8192; router 524,288;
    /// 128 experts of 3·4096·1536 (2,415,919,104). Embedding and head 2 · 151936 · 4096.
    @Test func qwen3_235B_A22B() throws {
        let graph = try Fixtures.graph("qwen3-235b-a22b.json")
        #expect(graph.layerSummaries[93].parameters == 2_487_755_008)
        #expect(graph.totalParameters == 235_093_634_560)
        #expect(graph.activeParameters == 22_190_763_520)
    }

    /// 4·4096² attention + 3·4096·11008 MLP + 2·4096 norms per layer, 32 layers, 2·32000·4096 + 4096.
    @Test func llama7B() throws {
        #expect(try Fixtures.graph("llama-7b.json").totalParameters == 6_738_415_616)
    }

    @Test func qkNormOpsPerLayer() throws {
        let ops = try Fixtures.graph("qwen3-30b-a3b.json").ops(inLayer: 0)
        let norms = ops.filter { $0.name.hasSuffix("q_norm") || $0.name.hasSuffix("k_norm") }
        #expect(norms.map(\.parameters) == [128, 128])
        #expect(norms.map(\.outFeatures) == [32 * 128, 4 * 128])
    }

    /// `decoder_sparse_step` 2 makes layers 1 and 3 MoE; `mlp_only_layers` [3] turns 3 dense.
    @Test func sparseStepAndMLPOnlyLayers() throws {
        let text = Fixtures.llamaConfigText(["model_type": "\"qwen3_moe\"", "num_hidden_layers": "4",
                                             "num_experts": "4", "num_experts_per_tok": "2",
                                             "moe_intermediate_size": "32", "decoder_sparse_step": "2",
                                             "mlp_only_layers": "[3]"])
        let graph = try ModelGraph.load(path: try Fixtures.temporaryFile(text))
        #expect(graph.layerSummaries.map(\.isMoE) == [false, true, false, false])
    }

    @Test func mlpOnlyLayerOutOfRangeNamesTheKey() throws {
        let text = Fixtures.llamaConfigText(["model_type": "\"qwen3_moe\"", "num_experts": "4",
                                             "num_experts_per_tok": "2", "mlp_only_layers": "[0, 7]"])
        let path = try Fixtures.temporaryFile(text)
        #expect(throws: ModelGraphError.invalidValue(file: path, key: "mlp_only_layers[1]", value: "7",
                                                     expected: "a layer index in 0..<2")) {
            try ModelGraph.load(path: path)
        }
    }
}
