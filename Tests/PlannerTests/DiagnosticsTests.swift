import ClusterSpec
import ModelGraph
@testable import Planner
import Testing

/// Every way a candidate can be infeasible, with the exact sentence the user sees.
@Suite struct DiagnosticsTests {
    func reason(_ model: String, _ s: Strategy, batch: Int, cluster: String = "dgx-h100",
                input: Int = 1024, output: Int = 256) throws -> (String?, String?) {
        let e = try evaluator(model, cluster, input: input, output: output)
        let eval = e.evaluate(Candidate(strategy: s, batch: batch))
        return (eval.reason, eval.fix)
    }

    @Test func headsNotDivisibleByTP() throws {
        #expect(try reason("llama-3-70b", Strategy(tp: 3), batch: 1).0
            == "TP 3 does not divide the 64 attention heads of llama-3-70b; TP can be 1, 2, 4, 8, 16, 32 or 64")
    }

    @Test func expertParallelismOnADenseModel() throws {
        #expect(try reason("llama-3-70b", Strategy(ep: 2), batch: 2).0
            == "EP 2 needs a mixture-of-experts model; llama-3-70b is dense")
    }

    @Test func expertsNotDivisibleByEP() throws {
        #expect(try reason("mixtral-8x7b", Strategy(ep: 3), batch: 3).0
            == "EP 3 does not divide the 8 routed experts of mixtral-8x7b; EP can be 1, 2, 4 or 8")
    }

    @Test func moreStagesThanLayers() throws {
        #expect(try reason("tiny-llama", Strategy(pp: 5), batch: 1).0
            == "PP 5 exceeds the 4 layers of tiny-llama: every stage needs at least one layer")
    }

    /// A batch below EP is a plan, not a diagnosis: the attention-DP ranks without a sequence run
    /// empty, and the busiest carries one whole sequence, so one prompt's combine all-to-all moves
    /// its 1,024 tokens × 4,096 × 2 bytes × top-2 from one rank, as in a batch of 8 (one each).
    @Test func batchBelowEPRunsTheIdleRanksEmpty() throws {
        let e = try evaluator("mixtral-8x7b", "dgx-h100")
        let one = e.evaluate(Candidate(strategy: Strategy(ep: 8), batch: 1))
        #expect(one.reason == nil)
        let plan = try #require(e.plan(one))
        #expect(plan.communication.epCombineBytesPrefill == 16_777_216.0)
        let eight = try #require(e.plan(e.evaluate(Candidate(strategy: Strategy(ep: 8), batch: 8))))
        #expect(eight.communication.epCombineBytesPrefill == plan.communication.epCombineBytesPrefill)
    }

    @Test func moreChipletsThanTheCluster() throws {
        #expect(try reason("llama-3-70b", Strategy(tp: 8, pp: 8, dp: 8), batch: 1).0
            == "TP8 PP8 DP8 needs 512 chiplets; dgx-h100 has 256")
    }

    @Test func badMappingOrder() throws {
        #expect(try reason("llama-3-70b", Strategy(order: [.tp, .tp, .dp, .pp]), batch: 1).0
            == "the mapping order must name tp, ep, dp and pp once each (got [\"tp\", \"tp\", \"dp\", \"pp\"])")
    }

    /// Weights 70,553,706,496 × 2 B = 141.1 GB; KV 64 × 4,352 × 327,680 B = 91.3 GB; activations
    /// 8,192 prompt tokens × 2 × 57,344 B (the MLP's widest output) = 0.9 GB; reserve 5% of 80 GB.
    @Test func memoryShortfallNamesEveryPartAndTheFix() throws {
        let (why, fix) = try reason("llama-3-70b", Strategy(tp: 1), batch: 64, input: 4096, output: 256)
        #expect(why == "llama-3-70b at TP 1 × PP 1 needs 237.3 GB of HBM3 per chip (weights 141.1 GB bf16, "
            + "KV cache 91.3 GB bf16 at batch 64 × 4352 tokens, activations 939.5 MB, runtime reserve 4.0 GB); "
            + "H100-SXM has 80.0 GB")
        #expect(fix == "fits with TP 4, or PP 4")
    }

    /// The same failures as values: the search counts them by case, and callers can switch on them.
    @Test func infeasibilityIsACaseWithItsFigures() throws {
        let e = try evaluator("llama-3-70b", "dgx-h100", input: 4096, output: 256)
        #expect(e.evaluate(Candidate(strategy: Strategy(tp: 3), batch: 1)).infeasibility
            == .tpDoesNotDivideHeads(tp: 3, heads: 64, model: "llama-3-70b", options: [1, 2, 4, 8, 16, 32, 64]))
        guard case let .outOfMemory(m) = e.evaluate(Candidate(strategy: Strategy(tp: 1), batch: 64)).infeasibility else {
            Issue.record("expected outOfMemory"); return
        }
        #expect(m.tier == "HBM3" && m.unit == "chip" && m.capacityBytes == 80e9)
        #expect(m.weightBytes == 70_553_706_496 * 2)
        #expect(m.kvCacheBytes == 64 * 4352 * 327_680)
        #expect(Infeasibility.outOfMemory(m).category == "does not fit in memory")
    }

    @Test func smallerBatchIsOfferedWhenWeightsFit() throws {
        let (why, fix) = try reason("llama-3-8b", Strategy(tp: 1), batch: 512, input: 4096, output: 4096)
        #expect(why?.hasPrefix("llama-3-8b at TP 1 × PP 1 needs ") == true)
        #expect(fix == "fits with TP 8, or PP 8, or batch 32")
    }

    @Test func unsupportedDTypeStopsThePlan() throws {
        #expect {
            _ = try evaluator("llama-3-70b", "dgx-h100", precision: Precision(.fp4))
        } throws: { error in
            error as? PlanError == .unsupportedDType(chip: "H100-SXM", dtype: "fp4", supported: ["bf16", "fp16", "fp8"],
                                                     flags: ["--weights", "--activations"], instead: "fp8")
                && "\(error)" == "H100-SXM has no fp4 (it has bf16, fp16, fp8); pass --weights fp8 --activations fp8, or choose a cluster whose chip has fp4"
        }
    }

    @Test func infeasibleSearchSaysWhy() throws {
        // GPT-3 at batch 64 × 33,792 tokens needs 64 × 33,792 × 4.7 MB = 10.2 TB of KV cache; the node has 1.5 TB.
        let e = try evaluator("gpt3-175b", "mi300x-8", input: 32768, output: 1024, batch: 64,
                              precision: Precision(weights: .bf16, activations: .bf16, kvCache: .bf16))
        let r = e.search()
        #expect(r.ranked.isEmpty)
        #expect(r.failures.first?.reason == "does not fit in memory")
    }
}

/// Absurd numbers from a command line or a file are errors, never integer-overflow traps.
@Suite struct HugeInputTests {
    @Test func hugeStrategySizesAreAnError() throws {
        let e = try evaluator("tiny-llama", "dgx-a100")
        let eval = e.evaluate(Candidate(strategy: Strategy(tp: 1, pp: 1, dp: 4_000_000_000, ep: 1 << 40), batch: 1 << 40))
        #expect(eval.reason == "EP 1099511627776 needs a mixture-of-experts model; tiny-llama is dense")
        let dense = e.evaluate(Candidate(strategy: Strategy(tp: 8, pp: 4, dp: 1 << 62, ep: 1), batch: 1))
        #expect(dense.reason == "TP8 PP4 DP4611686018427387904 needs more chiplets than can be counted; dgx-a100 has 32")
        let big = e.evaluate(Candidate(strategy: Strategy(tp: 8, pp: 4, dp: 4_000_000_000_000, ep: 1), batch: 1))
        #expect(big.reason == "TP8 PP4 DP4000000000000 needs 128000000000000 chiplets; dgx-a100 has 32")
    }

    @Test func hugeScenarioValuesAreAnError() throws {
        #expect {
            _ = try evaluator("tiny-llama", "dgx-a100", input: Int.max / 2, output: Int.max / 2)
        } throws: { "\($0)" == "scenario inputTokens is 4611686018427387903; expected a whole number from 1 to 100000000" }
    }

    @Test func powersOfTwoStopBeforeOverflow() {
        #expect(powersOfTwo(upTo: Int.max).count == 63)
        #expect(powersOfTwo(upTo: 1000) == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    }
}
