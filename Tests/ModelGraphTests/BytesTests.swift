import Testing
@testable import ModelGraph

@Suite struct BytesTests {
    @Test func dtypeSizes() {
        let bits = DType.allCases.map { "\($0.rawValue)=\($0.bitsPerElement)" }
        #expect(bits == ["fp32=32.0", "bf16=16.0", "fp16=16.0", "fp8=8.0", "int8=8.0", "fp4=4.0", "int4=4.0",
                         "mxint8=8.25", "mxint4=4.25"])
        #expect(DType.mxint4.bytesPerElement == 0.53125)
        #expect(DType.bf16.bytesPerElement == 2)
    }

    @Test func kvCacheBytesPerToken() throws {
        // 80 layers × (K and V) × 8 KV heads × 128 × 2 bytes.
        #expect(try Fixtures.graph("llama-3-70b.json").kvCacheBytesPerToken(.bf16) == 327_680)
        // MLA: 61 layers × (512 latent + 64 rope key) × 2 bytes.
        #expect(try Fixtures.graph("deepseek-v3.json").kvCacheBytesPerToken(.bf16) == 70_272)
        // 4 layers × 2 × 4 × 32 × 4 bytes; fp8 halves bf16.
        let tiny = try Fixtures.graph("tiny-llama.json")
        #expect(tiny.kvCacheBytesPerToken(.fp32) == 4_096)
        #expect(tiny.kvCacheBytesPerToken(.fp8) == 1_024)
        // GPT-3 MHA: 96 × 2 × 96 × 128 × 2.
        #expect(try Fixtures.graph("gpt3-175b.json").kvCacheBytesPerToken(.bf16) == 4_718_592)
    }

    @Test func weightBytesFollowThePrecision() throws {
        let graph = try Fixtures.graph("llama-3-8b.json")
        #expect(graph.weightBytes(.bf16) == 16_060_522_496)
        #expect(graph.weightBytes(Precision(weights: .int4, activations: .bf16, kvCache: .fp8)) == 4_015_130_624)
        #expect(graph.layerSummaries[0].weightBytes(Precision(.fp8)) == 218_112_000)
    }

    @Test func precisionSpecs() throws {
        #expect(try Precision(spec: "fp8") == Precision(.fp8))
        #expect(try Precision(spec: "w=int4,kv=fp8") == Precision(weights: .int4, activations: .bf16, kvCache: .fp8))
        #expect(try Precision(spec: "weights=mxint8,activations=fp16,kvCache=int8")
                == Precision(weights: .mxint8, activations: .fp16, kvCache: .int8))
        let error = #expect(throws: PrecisionSpecError.self) { try Precision(spec: "w=fp9") }
        #expect(error?.description.hasPrefix("precision `w=fp9`: cannot read `w=fp9`") == true)
    }
}
