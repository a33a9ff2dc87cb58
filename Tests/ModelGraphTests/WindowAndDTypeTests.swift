import Foundation
import Testing
@testable import ModelGraph

/// Sliding/chunked windows cap KV bytes and attention FLOPs per layer; the file's own dtype is the default.
@Suite struct WindowAndDTypeTests {
    /// tiny config: 2 layers, K and V of 2 KV heads of 8 → 32 elements per token per layer, 64 B in bf16.
    private func graph(_ overrides: [String: String?]) throws -> ModelGraph {
        try ModelGraph.load(path: Fixtures.temporaryFile(Fixtures.llamaConfigText(overrides)))
    }

    @Test func mistralWindowCapsEveryLayer() throws {
        let g = try graph(["model_type": "\"mistral\"", "sliding_window": "16"])
        #expect(g.layerSummaries.map(\.attentionWindow) == [16, 16])
        #expect(g.kvCacheBytes(context: 10, .bf16) == 2 * 10 * 32 * 2)
        #expect(g.kvCacheBytes(context: 1000, .bf16) == 2 * 16 * 32 * 2)
        // Decode: the attention term stops growing at the window.
        #expect(g.decodeFLOPs(context: 1000) == g.decodeFLOPs(context: 16))
        #expect(g.decodeFLOPs(context: 8) < g.decodeFLOPs(context: 16))
        let full = try graph(["model_type": "\"mistral\"", "sliding_window": "null"])
        #expect(full.layerSummaries.map(\.attentionWindow) == [nil, nil])
        #expect(full.kvCacheBytes(context: 1000, .bf16) == 2 * 1000 * 32 * 2)
    }

    /// Mistral-7B-v0.1 has the shape of transformers' MistralConfig() default, whose count is
    /// 7,241,732,096 (Fixtures/architectures/reference-counts.json). KV per token: 32 layers ×
    /// 2 × 8 × 128 × 2 B = 131,072 B; at 32768 tokens the window keeps 4096 of them.
    @Test func mistral7BWindow() throws {
        let g = try Fixtures.graph("mistral-7b-v0.1.json")
        #expect(g.totalParameters == 7_241_732_096)
        #expect(g.kvCacheBytesPerToken(.bf16) == 131_072)
        #expect(g.kvCacheBytes(context: 32768, .bf16) == 4096 * 131_072)
        #expect(g.kvCacheBytes(context: 2048, .bf16) == 2048 * 131_072)
    }

    /// Causal prefill of N = 10 after 0 with window 4: 1 + 2 + 3 + 4 + 6·4 = 34 positions
    /// (55 without the window); with 2 prior: 3 + 4 + 8·4 = 39.
    @Test func prefillPositionsUnderAWindow() {
        #expect(AttentionWindow.prefillPositions(tokens: 10, prior: 0, window: 4) == 34)
        #expect(AttentionWindow.prefillPositions(tokens: 10, prior: 0, window: nil) == 55)
        #expect(AttentionWindow.prefillPositions(tokens: 10, prior: 2, window: 4) == 39)
        #expect(AttentionWindow.prefillPositions(tokens: 3, prior: 10, window: 4) == 12)
        #expect(AttentionWindow.prefillPositions(tokens: 3, prior: 0, window: 4) == 6)
    }

    @Test func layerTypesChooseTheWindowedLayers() throws {
        let g = try graph(["model_type": "\"gemma2\"", "hidden_act": "\"gelu_pytorch_tanh\"", "sliding_window": "32",
                           "layer_types": #"["sliding_attention", "full_attention"]"#])
        #expect(g.layerSummaries.map(\.attentionWindow) == [32, nil])
        #expect(g.kvCacheBytes(context: 100, .bf16) == Double((32 + 100) * 32 * 2))
        #expect(g.prefillFLOPs(tokens: 100) < (try graph(["model_type": "\"gemma2\"", "hidden_act": "\"gelu_pytorch_tanh\""])).prefillFLOPs(tokens: 100))
    }

    @Test func linearAttentionLayerTypeIsRefused() throws {
        let text = Fixtures.llamaConfigText(["model_type": "\"qwen3\"", "layer_types": #"["linear_attention", "full_attention"]"#])
        let path = try Fixtures.temporaryFile(text)
        #expect(throws: ModelGraphError.unsupportedArchitecture(
            file: path, modelType: "qwen3",
            reason: "layer_types[0] is `linear_attention`; Tessera models full, sliding and chunked attention only")) {
            try ModelGraph.load(path: path)
        }
    }

    /// Gemma 3: 5 sliding layers, then one global (sliding_window_pattern 6).
    @Test func gemma3Pattern() throws {
        let g = try graph(["model_type": "\"gemma3_text\"", "hidden_act": "\"gelu_pytorch_tanh\"", "num_hidden_layers": "12",
                           "sliding_window": "8", "sliding_window_pattern": "6"])
        #expect(g.layerSummaries.map { $0.attentionWindow != nil }
                == [true, true, true, true, true, false, true, true, true, true, true, false])
    }

    @Test func shippedWorkloadsDeclareTheirDType() throws {
        #expect(try Fixtures.graph("deepseek-v3.json").config.defaultPrecision == Precision(weights: .fp8, activations: .bf16, kvCache: .bf16))
        #expect(try Fixtures.graph("llama-3-8b.json").config.fileWeights == .bf16)
        #expect(try Fixtures.graph("llama-7b.json").config.defaultPrecision == Precision(weights: .fp16, activations: .bf16, kvCache: .bf16))
    }

    @Test(arguments: [
        (#"{"quant_method": "mxfp4"}"#, DType.fp4),
        (#"{"quant_method": "awq", "bits": 4}"#, .int4),
        (#"{"quant_method": "gptq", "bits": 8}"#, .int8),
        (#"{"quant_method": "fp8", "fmt": "e4m3"}"#, .fp8),
        (#"{"quant_method": "bitsandbytes", "load_in_4bit": true}"#, .int4),
    ])
    func quantizationConfigSetsTheWeights(config: String, dtype: DType) throws {
        #expect(try graph(["quantization_config": config, "torch_dtype": "\"bfloat16\""]).config.defaultPrecision.weights == dtype)
    }

    @Test func float32FilesPlanInBF16AndBadDTypesAreNamed() throws {
        #expect(try graph(["torch_dtype": "\"float32\""]).config.defaultPrecision == .bf16)
        let path = try Fixtures.temporaryFile(Fixtures.llamaConfigText(["quantization_config": #"{"quant_method": "gptq", "bits": 3}"#]))
        #expect(throws: ModelGraphError.invalidValue(file: path, key: "quantization_config.bits", value: "3", expected: "4 or 8")) {
            try ModelGraph.load(path: path)
        }
    }
}
