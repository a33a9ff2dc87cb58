import ClusterSpec
import Foundation
import ModelGraph
import Testing
@testable import Planner

/// Bounded work and arithmetic that cannot trap (issue 15, items 2 and 3).
@Suite struct BoundedWorkTests {
    /// tiny-llama (8 heads, 4 layers, dense) on dgx-a100 (32 chiplets) at batch 2: TP 1, 2, 4, 8 with
    /// PP 1…4 each is 16 strategies, × 5 (three mapping orders, two disaggregated pools) × 1 batch.
    @Test func theSearchSizeIsCountedBeforehandAndBoundsTheSearch() throws {
        let e = try evaluator("tiny-llama", "dgx-a100", input: 16, output: 8, batch: 2, mode: .continuous)
        #expect(e.searchSize(SearchOptions()) == 80)
        #expect(e.search().candidates <= 80)
        var options = SearchOptions()
        options.batches = [1, 2, 4]
        #expect(e.searchSize(options) == 240)
    }

    /// Divisors pair up to √n: a model with 2^30 heads was 2^30 trial divisions per search.
    @Test func divisorsAreFoundInSquareRootSteps() {
        #expect(divisors(12) == [1, 2, 3, 4, 6, 12])
        #expect(divisors(49) == [1, 7, 49])
        #expect(divisors(1) == [1] && divisors(0) == [] && divisors(-4) == [])
        #expect(divisors(1 << 30).count == 31)
        #expect(divisors(720_720).count == 240)
    }

    /// A 1-trillion-parameter model (Kimi K2's shape: DeepSeek-V3 with 384 experts, 64 heads, one
    /// dense layer, a 163,840-token vocabulary) on 100 GB200 NVL72 racks: loads with the exact
    /// parameter count, fits in memory at EP 24 (three groups a rack) and predicts finite times.
    @Test func aTrillionParameterModelOnAHundredRacks() throws {
        let text = try String(contentsOfFile: Repo.workload("deepseek-v3"), encoding: .utf8)
        var kimi = text
        for (old, new) in [("\"n_routed_experts\": 256", "\"n_routed_experts\": 384"),
                           ("\"num_attention_heads\": 128", "\"num_attention_heads\": 64"),
                           ("\"num_key_value_heads\": 128", "\"num_key_value_heads\": 64"),
                           ("\"first_k_dense_replace\": 3", "\"first_k_dense_replace\": 1"),
                           ("\"vocab_size\": 129280", "\"vocab_size\": 163840")] {
            #expect(kimi.contains(old))
            kimi = kimi.replacingOccurrences(of: old, with: new)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kimi-k2-\(getpid()).json").path
        try kimi.write(toFile: path, atomically: false, encoding: .utf8)
        let model = try ModelGraph.load(path: path)
        // By hand (HF modeling_deepseek.py): per layer MLA q_a 7168·1536 + norm 1536 + q_b 1536·64·192,
        // kv_a 7168·576 + norm 512 + kv_b 512·64·256, o 64·128·7168, two norms 2·7168; one dense MLP
        // 3·7168·18432; 60 MoE layers of router 7168·384 + bias 384 + (384 + 1 shared)·3·7168·2048;
        // embedding and LM head 2·163840·7168 and the final norm 7168. The published total is 1.026 T.
        let (h, n, v) = (7168, 64, 163_840)
        let attention = h * 1536 + 1536 + 1536 * n * 192 + h * 576 + 512 + 512 * n * 256 + n * 128 * h + 2 * h
        let moe = h * 384 + 384 + 385 * 3 * h * 2048
        let expected = 61 * attention + 3 * h * 18432 + 60 * moe + 2 * v * h + h
        #expect(expected == 1_026_408_232_448)
        #expect(model.totalParameters == expected)

        let cluster = try ClusterSpec.load(path: Repo.cluster("gb200-nvl72")).scaled(levelCounts: ["cluster": 100])
        #expect(cluster.totalChiplets == 7200 && cluster.racks == 100)
        let scenario = Scenario(inputTokens: 1024, outputTokens: 256, batch: nil, mode: .continuous,
                                maxTTFTMs: nil, maxTPOTMs: nil, precision: Precision(weights: .fp8, activations: .fp8, kvCache: .fp8))
        let e = try Evaluator(PlanInputs(modelName: "kimi-k2", model: model, cluster: cluster, scenario: scenario))
        #expect(e.searchSize(SearchOptions()) <= Evaluator.defaultMaxCandidates)
        let best = e.evaluateLargestBatch(Strategy(tp: 1, pp: 1, dp: 300, ep: 24), batch: nil, maxBatch: 1024)
        #expect(best.feasible, "\(best.reason ?? "")")
        #expect(best.chipletsUsed == 7200)
        let memory = try #require(best.memory)
        let weightBytes = memory.tiers.map(\.weightBytes).reduce(0, +)
        // FP8: each chiplet holds 16 of the 384 experts of 60 layers (1.0146e12 / 24 bytes) and the rest whole.
        #expect(memory.fits && weightBytes > 1.0146e12 / 24 && weightBytes < 1.0146e12 / 24 + 2e10)
        let m = try #require(best.metrics)
        #expect(m.ttftMs.isFinite && m.ttftMs > 0 && m.tpotMs.isFinite && m.tpotMs > 0)
        #expect(m.outputTokensPerSecond.isFinite && m.outputTokensPerSecond > 0)
    }
}

/// Integer overflow traps in model files (issue 15): a hidden size of 8.2e12 is refused with the
/// largest supported size before any product is formed.
@Test func aHiddenSizeOf8Point2e12IsRefused() throws {
    let text = try String(contentsOfFile: Repo.workload("llama-3-8b"), encoding: .utf8)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hidden-\(getpid()).json").path
    #expect(text.contains("\"hidden_size\": 4096"))
    try text.replacingOccurrences(of: "\"hidden_size\": 4096", with: "\"hidden_size\": 8200000000000")
        .write(toFile: path, atomically: false, encoding: .utf8)
    #expect(throws: ModelGraphError.invalidValue(file: path, key: "hidden_size", value: "8200000000000",
                                                 expected: "at most 1073741824 (2^30, so products of sizes stay inside 64-bit integers)")) {
        try ModelGraph.load(path: path)
    }
}
