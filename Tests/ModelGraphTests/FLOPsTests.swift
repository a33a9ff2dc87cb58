import Testing
@testable import ModelGraph

/// tiny-llama by hand (hidden 256, 8 heads of 32, 4 KV heads, FFN 768, vocab 4096, 4 layers).
/// Per layer per token, context-independent:
///   2 RMSNorms 2·4·256 = 2,048; q 2·256·256 = 131,072; k, v 2·256·128 = 65,536 each;
///   rotary 3·(8+4)·32 = 1,152; o 131,072; 2 residual adds 512; gate, up, down 3·2·256·768 = 1,179,648;
///   SwiGLU 5·768 = 3,840 → 1,580,416.
/// Per layer per token per context position: score 2·32·8 = 512, softmax 5·8 = 40, context 512 → 1,064.
/// Head: final norm 4·256 = 1,024 + LM head 2·256·4096 = 2,097,152 → 2,098,176.
@Suite struct FLOPsTests {
    @Test func tinyLayerSums() throws {
        let graph = try Fixtures.graph("tiny-llama.json")
        let layer = graph.layerSummaries[2]
        #expect(layer.flopsPerToken == 1_580_416)
        #expect(layer.decodeAttentionFLOPsPerPosition == 1_064)
        #expect(layer.prefillAttentionFLOPsPerPosition == 1_064)
        #expect(graph.headSummary.flopsPerToken == 2_098_176)
        #expect(graph.embeddingSummary.flopsPerToken == 0)
        #expect(graph.flopsPerToken == 4 * 1_580_416 + 2_098_176)
    }

    @Test func tinyDecodeAtContext() throws {
        let graph = try Fixtures.graph("tiny-llama.json")
        // 8,419,840 + 4·1,064·100
        #expect(graph.decodeFLOPs(context: 100) == 8_845_440)
    }

    @Test func tinyCausalPrefill() throws {
        let graph = try Fixtures.graph("tiny-llama.json")
        // 10 tokens through 4 layers: 10·4·1,580,416 + 4·1,064·(10·11/2), then the head on the last token only.
        #expect(graph.prefillFLOPs(tokens: 10) == 63_216_640 + 234_080 + 2_098_176)
        #expect(graph.prefillFLOPs(tokens: 10) == 65_548_896)
        // A chunk of 10 after 90 cached tokens attends over 91…100 positions.
        #expect(graph.layerSummaries[0].prefillFLOPs(tokens: 10, priorContext: 90) == 15_804_160 + 1_064 * 955)
    }

    @Test func opFLOPsAndShapes() throws {
        let ops = try Fixtures.graph("tiny-llama.json").ops(inLayer: 1)
        #expect(ops.map(\.name) == [
            "layers.1.input_layernorm", "layers.1.attn.q_proj", "layers.1.attn.k_proj", "layers.1.attn.v_proj",
            "layers.1.attn.rotary", "layers.1.attn.score", "layers.1.attn.softmax", "layers.1.attn.context",
            "layers.1.attn.o_proj", "layers.1.attn.residual", "layers.1.post_attention_layernorm",
            "layers.1.mlp.gate_proj", "layers.1.mlp.up_proj", "layers.1.mlp.act", "layers.1.mlp.down_proj",
            "layers.1.mlp.residual",
        ])
        let k = ops[2]
        #expect(k.kind == .kProjection && k.kind.isMatmul)
        #expect(k.flops(tokens: 3, context: 50) == 3 * 2 * 256 * 128)
        #expect(k.splitExtents == [.heads: 4, .hidden: 256])
        #expect(k.splittable == [.heads, .hidden, .sequence])
        #expect(k.inputShape(batch: 2, sequence: 5) == [2, 5, 256])
        #expect(k.outputShape(batch: 2, sequence: 5) == [2, 5, 128])
        #expect(k.weightBytes(.bf16) == 65_536)
        #expect(k.activationBytes(tokens: 10, Precision(.fp32)) == 5_120)
        let score = ops[5]
        #expect(score.flops(tokens: 3, context: 50) == 3 * 50 * 2 * 32 * 8)
        #expect(score.outputShape(batch: 2, sequence: 5) == [2, 8, 5, 5])
        #expect(score.activationBytes(tokens: 10, .bf16) == 0)
    }

    @Test func moeOpsUseTopK() throws {
        let graph = try Fixtures.graph("tiny-moe.json")
        let up = try #require(graph.ops(inLayer: 0).first { $0.kind == .expertUp })
        #expect(up.instances == 8 && up.activePerToken == 2)
        #expect(up.parameters == 8 * 256 * 512)
        #expect(up.flops(tokens: 1, context: 1) == 2 * 2 * 256 * 512)
        #expect(up.outputShape(batch: 1, sequence: 4) == [1, 4, 2, 512])
        #expect(up.splittable == [.experts, .ffn, .hidden, .sequence])
        let router = try #require(graph.ops(inLayer: 0).first { $0.kind == .router })
        #expect(router.parameters == 2_048)
    }

    /// DeepSeek-V3 MLA, 128 heads: decode attends in the latent (2·576 + 5 + 2·512 per head);
    /// prefill decompresses (2·192 + 5 + 2·128 per head).
    @Test func mlaAttentionDiffersByPhase() throws {
        let graph = try Fixtures.graph("deepseek-v3.json")
        let layer = graph.layerSummaries[10]
        #expect(layer.isMoE && !graph.layerSummaries[2].isMoE)
        #expect(layer.decodeAttentionFLOPsPerPosition == 128 * 2_181)
        #expect(layer.prefillAttentionFLOPsPerPosition == 128 * 645)
        let kinds = graph.ops(inLayer: 0).map(\.kind)
        #expect(kinds.starts(with: [.norm, .qDown, .norm, .qUp, .kvDown, .norm, .kvUp, .rotary]))
        #expect(graph.ops(inLayer: 3).contains { $0.kind == .sharedExpertDown })
        #expect(graph.ops(inLayer: 2).contains { $0.kind == .mlpDown })
        #expect(graph.ops(inLayer: 61).isEmpty)
    }

    @Test func gpt3HasLearnedPositionsLayerNormAndBiases() throws {
        let graph = try Fixtures.graph("gpt3-175b.json")
        #expect(graph.ops.map(\.kind).starts(with: [.embedding, .positionEmbedding]))
        #expect(graph.ops[1].parameters == 2_048 * 12_288)
        let ops = graph.ops(inLayer: 0)
        #expect(ops[0].parameters == 2 * 12_288)
        #expect(!ops.contains { $0.kind == .rotary || $0.kind == .mlpGate })
        #expect(ops.first { $0.kind == .mlpUp }?.parameters == 12_288 * 49_152 + 49_152)
        #expect(graph.ops.last?.parameters == 0)  // tied LM head
    }
}
