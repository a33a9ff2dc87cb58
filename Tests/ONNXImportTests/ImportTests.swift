import ClusterSpec
import Foundation
import ModelGraph
import ONNXImport
import Planner
import Testing

/// The ONNX path against the config.json path of the same model: parameters, FLOPs and plans.
@Suite struct ImportTests {
    @Test(arguments: ["tiny-llama", "tiny-llama-contrib"])
    func tinyLlamaMatchesItsConfig(fixture: String) throws {
        let onnx = try ONNXImport.load(path: Repo.onnx(fixture)).graph
        let json = try ModelGraph.load(path: Repo.workload("tiny-llama"))
        #expect(onnx.totalParameters == 5_245_184)
        #expect(onnx.totalParameters == json.totalParameters)
        #expect(onnx.activeParameters == json.activeParameters)
        #expect(onnx.ops.map(\.flopsPerToken) == json.ops.map(\.flopsPerToken))
        #expect(onnx.ops.map(\.name) == json.ops.map(\.name))
        #expect(onnx.prefillFLOPs(tokens: 512) == json.prefillFLOPs(tokens: 512))
        #expect(onnx.decodeFLOPs(context: 4096) == json.decodeFLOPs(context: 4096))
        #expect(onnx.kvCacheBytesPerToken(.bf16) == json.kvCacheBytesPerToken(.bf16))
        let c = onnx.config
        #expect([c.hiddenSize, c.attentionHeads, c.kvHeads, c.headDim, c.intermediateSize, c.layers, c.vocabSize] as [Int]
            == [256, 8, 4, 32, 768, 4, 4096])
        #expect(c.activation == .swiglu && c.norm == .rmsNorm && c.positions == .rotary && !c.tiedEmbeddings)
        #expect(c.fileWeights == .fp32 && c.normEpsilon == json.config.normEpsilon)
    }

    /// 4-bit MatMulNBits layers: the same graph, with the file's weight dtype int4.
    @Test func int4ExportDeclaresInt4() throws {
        let onnx = try ONNXImport.load(path: Repo.onnx("tiny-llama-contrib-int4")).graph
        let json = try ModelGraph.load(path: Repo.workload("tiny-llama"))
        #expect(onnx.totalParameters == json.totalParameters)
        #expect(onnx.ops.map(\.flopsPerToken) == json.ops.map(\.flopsPerToken))
        #expect(onnx.config.fileWeights == .int4 && onnx.config.defaultPrecision.weights == .int4)
    }

    @Test func tinyMoEMatchesItsConfig() throws {
        let onnx = try ONNXImport.load(path: Repo.onnx("tiny-moe-contrib")).graph
        let json = try ModelGraph.load(path: Repo.workload("tiny-moe"))
        #expect(onnx.totalParameters == 15_476_992)
        #expect(onnx.activeParameters == 6_039_808)
        #expect(onnx.ops.map(\.flopsPerToken) == json.ops.map(\.flopsPerToken))
        #expect(onnx.config.experts == 8 && onnx.config.expertsPerToken == 2 && onnx.config.moeIntermediateSize == 512)
    }

    /// The same search, on the same cluster and scenario, picks the same plans with the same figures.
    @Test func tinyLlamaPlansIdentically() throws {
        let scenario = Scenario(inputTokens: 128, outputTokens: 32, mode: .continuous)
        let cluster = try ClusterSpec.load(path: Repo.cluster("dgx-a100"))
        func plan(_ graph: ModelGraph) throws -> (SearchResult, EvaluationReport) {
            let evaluator = try Evaluator(PlanInputs(modelName: "tiny-llama", model: graph, cluster: cluster, scenario: scenario))
            var options = SearchOptions()
            options.maxBatch = 64
            let fixed = evaluator.evaluate(Candidate(strategy: Strategy(tp: 2, pp: 2, dp: 1, ep: 1), batch: 8))
            return (evaluator.search(options), EvaluationReport(fixed))
        }
        let (onnxSearch, onnxFixed) = try plan(try ONNXImport.load(path: Repo.onnx("tiny-llama")).graph)
        let (jsonSearch, jsonFixed) = try plan(try ModelGraph.load(path: Repo.workload("tiny-llama")))
        #expect(onnxFixed == jsonFixed)
        #expect(onnxFixed.feasible && onnxFixed.stageLayers == [2, 2])
        #expect(onnxSearch.candidates == jsonSearch.candidates)
        #expect(onnxSearch.ranked.map(EvaluationReport.init) == jsonSearch.ranked.map(EvaluationReport.init))
        #expect(!onnxSearch.ranked.isEmpty)
    }

    /// GPT-2's shape: LayerNorm with bias, packed QKV split three ways, biases, learned positions,
    /// tanh-GELU, tied head; against the gpt2 family's reading of the same config.
    @Test func microGPT2MatchesItsConfig() throws {
        let onnx = try ONNXImport.load(path: Repo.onnx("micro-gpt2")).graph
        let json = try ModelGraph.load(path: Repo.root.appendingPathComponent("Tests/ONNXImportTests/Fixtures/micro-gpt2.json").path)
        // wte 64·32 + wpe 128·32 + 2 × (2·2·32 + 32·96 + 96 + 32·32 + 32 + 32·128 + 128 + 128·32 + 32) + 2·32.
        #expect(onnx.totalParameters == 2_048 + 4_096 + 2 * (128 + 3_168 + 1_056 + 4_224 + 4_128) + 64)
        #expect(onnx.totalParameters == json.totalParameters)
        #expect(onnx.ops.map(\.name) == json.ops.map(\.name))
        #expect(onnx.ops.map(\.parameters) == json.ops.map(\.parameters))
        #expect(onnx.ops.map(\.flopsPerToken) == json.ops.map(\.flopsPerToken))
        let c = onnx.config
        #expect(c.positions == .learned && c.maxPositions == 128 && c.tiedEmbeddings && c.norm == .layerNorm)
        #expect(c.normVectors == 2 && c.activation == .gelu && c.qkvBias && c.outputBias && c.mlpBias)
    }

    @Test func microDenseWeightsReadAsShapes() throws {
        let result = try ONNXImport.load(path: Repo.onnx("micro-dense"))
        let c = result.config
        #expect([c.hiddenSize, c.attentionHeads, c.kvHeads, c.headDim, c.intermediateSize, c.layers, c.vocabSize] as [Int]
            == [32, 4, 2, 8, 64, 2, 64])
        // 64·32 embedding + 2 × (32·32 + 2·32·16 + 32·32 + 3·32·64 + 2·32) + 32 + 32·64 head.
        #expect(result.graph.totalParameters == 2_048 + 2 * (1_024 + 1_024 + 1_024 + 6_144 + 64) + 32 + 2_048)
    }
}
