import ModelGraph
import Testing

/// `--formats` strings, and the dtypes formats price as (MLP weights apart from attention).
@Suite struct QuantisationSpecTests {
    @Test func oneFormatOrNamedParts() throws {
        #expect(try Quantisation(spec: "mxint4") == Quantisation(.mxint4))
        let q = try Quantisation(spec: "weights=int4-g128,kv=fp8-e5m2")
        #expect(q == Quantisation(attentionWeights: .int4Group, mlpWeights: .int4Group, activations: .fp32, kvCache: .fp8E5M2))
        #expect(q.precision == Precision(weights: .int4, activations: .fp32, kvCache: .fp8))
        #expect(q.needsCalibration)    // fp8 K/V needs a static scale
        let mixed = try Quantisation(spec: "attention=mxint8,mlp=mxfp4,a=bf16")
        #expect(mixed.precision == Precision(weights: .mxint8, activations: .bf16, kvCache: .fp32, mlpWeights: .fp4))
        #expect(!mixed.needsCalibration)
        #expect(mixed.label == "attention=mxint8,mlp=mxfp4,activations=bf16,kv=fp32")
    }

    @Test func aBadPartIsNamed() {
        #expect(throws: QuantisationSpecError.self) { try Quantisation(spec: "weights=int3") }
        do { _ = try Quantisation(spec: "weights=int3"); Issue.record("parsed") } catch {
            #expect(error.description.hasPrefix("formats `weights=int3`: cannot read `weights=int3`; expected a format (fp32, bf16"))
        }
    }

    /// tiny-llama: 4 × 589,824 MLP parameters at 0.5 B (int4), the other 2,885,888 at 2 B (bf16).
    @Test func mlpWeightsArePricedApart() throws {
        let graph = try ModelGraph.load(path: Fixtures.workload("tiny-llama.json"))
        let p = Precision(weights: .bf16, activations: .bf16, kvCache: .bf16, mlpWeights: .int4)
        #expect(graph.weightBytes(p) == 6_951_424)
        #expect(graph.weightBytes(.bf16) == 10_490_368)
        #expect(graph.layerSummaries[0].weightBytes(p) == Double(196_608 + 512) * 2 + 589_824 * 0.5)
        #expect(p.computeDType == .bf16)
        #expect(Precision(weights: .int4, activations: .fp8, kvCache: .fp8, mlpWeights: .bf16).computeDType == .bf16)
    }
}
