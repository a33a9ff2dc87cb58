import ModelGraph
import Runtime
import Testing

@Suite struct ShardsTests {
    @Test func headAndColumnRangesOfTinyLlama() throws {
        let config = try NumericFixtures.llama()
        #expect(Shards.columns(of: "layers.0.attn.q_proj", config: config, tp: 2, rank: 1) == 128..<256)
        #expect(Shards.columns(of: "layers.0.attn.k_proj", config: config, tp: 2, rank: 1) == 64..<128)
        #expect(Shards.rows(of: "layers.0.attn.o_proj", config: config, tp: 4, rank: 3) == 192..<256)
        #expect(Shards.columns(of: "layers.0.attn.o_proj", config: config, tp: 4, rank: 3) == 0..<256)
        #expect(Shards.columns(of: "layers.2.mlp.up_proj", config: config, tp: 4, rank: 1) == 192..<384)
        #expect(Shards.rows(of: "layers.2.mlp.down_proj", config: config, tp: 4, rank: 1) == 192..<384)
        #expect(Shards.columns(of: "lm_head", config: config, tp: 4, rank: 3) == 3072..<4096)
        #expect(Shards.rows(of: "embed_tokens", config: config, tp: 4, rank: 3) == 0..<4096)
    }

    /// TP 8 > 4 KV heads: ranks 2r and 2r+1 share KV head r (head dim 32).
    @Test func kvHeadsReplicateWhenTPExceedsThem() throws {
        let config = try NumericFixtures.llama()
        #expect((0..<8).map { Shards.kvHeads(config, tp: 8, rank: $0) } == [0..<1, 0..<1, 1..<2, 1..<2, 2..<3, 2..<3, 3..<4, 3..<4])
        #expect(Shards.columns(of: "layers.0.attn.v_proj", config: config, tp: 8, rank: 5) == 64..<96)
        #expect(Shards.queryHeads(config, tp: 8, rank: 5) == 5..<6)
        #expect(Shards.kvHeads(config, tp: 2, rank: 1) == 2..<4)
    }

    @Test func expertsPerEPRank() throws {
        let config = try NumericFixtures.moe()
        #expect((0..<4).map { Shards.experts(config, ep: 4, rank: $0) } == [0..<2, 2..<4, 4..<6, 6..<8])
        #expect(Shards.columns(of: "layers.1.mlp.experts.3.gate_proj", config: config, tp: 2, rank: 1) == 256..<512)
        #expect(Shards.columns(of: "layers.1.mlp.gate", config: config, tp: 2, rank: 1) == 0..<8)
    }

    @Test func checkNamesTheRule() throws {
        let llama = try NumericFixtures.llama(), moe = try NumericFixtures.moe()
        try Shards.check(config: llama, tp: 8, ep: 1)
        try Shards.check(config: moe, tp: 2, ep: 4)
        #expect(throws: NumericError("tp 3 does not divide 8 attention heads")) { try Shards.check(config: llama, tp: 3, ep: 1) }
        #expect(throws: NumericError("ep 2 needs an MoE model; llama is dense")) { try Shards.check(config: llama, tp: 1, ep: 2) }
        #expect(throws: NumericError("ep 3 does not divide 8 experts")) { try Shards.check(config: moe, tp: 1, ep: 3) }
        var mla = llama
        mla.mla = MLAConfig(qLoraRank: nil, kvLoraRank: 64, qkRopeHeadDim: 16, qkNopeHeadDim: 32, vHeadDim: 32)
        mla.tiedEmbeddings = true
        #expect(throws: NumericError("numeric mode does not support multi-head latent attention, tied embeddings (model type llama)")) {
            try Shards.check(config: mla, tp: 1, ep: 1)
        }
    }
}
