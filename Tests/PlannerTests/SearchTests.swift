import ClusterSpec
import Foundation
import ModelGraph
@testable import Planner
import Testing

@Suite struct SearchTests {
    /// Same inputs, same answer, in the same order, from a fresh evaluator (no state leaks).
    @Test func searchIsDeterministic() throws {
        let a = try evaluator("llama-3-70b", "hgx-b200", mode: .continuous, maxTPOTMs: 50).search()
        let b = try evaluator("llama-3-70b", "hgx-b200", mode: .continuous, maxTPOTMs: 50).search()
        #expect(a.candidates == b.candidates)
        #expect(a.ranked.map(\.candidate) == b.ranked.map(\.candidate))
        #expect(a.pareto.map(\.candidate) == b.pareto.map(\.candidate))
        #expect(a.ranked.map { $0.metrics } == b.ranked.map { $0.metrics })
        #expect(!a.ranked.isEmpty)
    }

    /// The ranking follows the objective and every ranked candidate meets the SLOs.
    @Test func rankedByObjectiveWithinSLOs() throws {
        let r = try evaluator("llama-3-8b", "dgx-h100", mode: .continuous, maxTTFTMs: 500, maxTPOTMs: 20).search()
        let perChip = r.ranked.compactMap { $0.metrics?.outputTokensPerSecondPerChip }
        #expect(perChip == perChip.sorted(by: >))
        #expect(r.ranked.allSatisfy { $0.metrics!.tpotMs <= 20 && $0.metrics!.ttftMs <= 500 })
        #expect(r.missedSLO > 0)
        #expect(r.candidates == r.illegal + r.outOfMemory + r.missedSLO + feasibleCount(r))
    }

    /// No Pareto point is beaten on both throughput per chip and tokens/s per user by another.
    @Test func paretoFrontIsNotDominated() throws {
        let r = try evaluator("llama-3-70b", "gb200-nvl72", mode: .continuous).search()
        let points = r.pareto.compactMap { $0.metrics }
        #expect(points.count >= 3)
        for (i, p) in points.enumerated() {
            for (j, q) in points.enumerated() where i != j {
                #expect(!(q.outputTokensPerSecondPerChip > p.outputTokensPerSecondPerChip
                          && q.tokensPerSecondPerUser > p.tokensPerSecondPerUser))
            }
        }
    }

    /// The JSON contract later tooling relies on.
    @Test func reportKeysAndPlanRoundTrip() throws {
        let e = try evaluator("tiny-llama", "dgx-h100", input: 16, output: 8, batch: 2)
        let eval = e.evaluate(Candidate(strategy: Strategy(tp: 2, pp: 2), batch: 2))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(EvaluationReport(eval))) as? [String: Any]
        for key in ["feasible", "strategy", "chipsUsed", "batch", "ttftMs", "tpotMs", "outputTokensPerSecond",
                    "outputTokensPerSecondPerChip", "memory"] {
            #expect(json?[key] != nil, "missing \(key)")
        }
        let strategy = json?["strategy"] as? [String: Any]
        #expect(strategy?["tp"] as? Int == 2 && strategy?["pp"] as? Int == 2)
        let plan = try #require(e.plan(eval))
        let decoded = try JSONDecoder().decode(Plan.self, from: JSONEncoder().encode(plan))
        #expect(decoded.schema == "tessera.plan/1")
        #expect(decoded.stages.map(\.layerCount) == [2, 2])
        #expect(decoded.chiplets.count == 4)
        #expect(decoded.predicted == plan.predicted)

        let search = e.search()
        let top = try JSONSerialization.jsonObject(with: JSONEncoder().encode(SearchReport(search, seconds: 0.1))) as? [String: Any]
        #expect(top?["candidates"] as? Int == search.candidates)
        #expect((top?["results"] as? [Any])?.count == search.ranked.count)
        #expect(top?["feasible"] as? Bool == true)
    }

    /// Continuous batching with no batch takes the largest that fits and meets the SLOs.
    @Test func largestBatchWithinSLOs() throws {
        let e = try evaluator("llama-3-8b", "dgx-h100", mode: .continuous, maxTPOTMs: 15)
        let best = e.evaluateLargestBatch(Strategy(tp: 2), batch: nil, maxBatch: 4096)
        let m = try #require(best.metrics)
        #expect(m.meetsSLO)
        let next = e.evaluate(Candidate(strategy: Strategy(tp: 2), batch: best.candidate.batch * 2))
        #expect(next.metrics?.meetsSLO != true)
    }

    /// At full load an engine runs the batch its scheduler and K/V cache allow, not the power of
    /// two below it: with no batch and no --max-batch the search and the one-strategy evaluation
    /// reach that running batch (the one `tessera validate` prices); a --max-batch still caps.
    @Test func continuousBatchingReachesFullLoad() throws {
        let e = try evaluator("llama-3-8b", "dgx-h100", input: 128, output: 128, mode: .continuous)
        let s = Strategy(tp: 1, dp: 256)
        let full = e.evaluate(Candidate(strategy: s, batch: Evaluator.fullLoad))
        // The K/V cache sets it here (bare software: no scheduler caps), and it is no power of two.
        #expect(full.candidate.batch > 1024 && full.candidate.batch & (full.candidate.batch - 1) != 0)
        #expect(e.batchCaps(maxBatch: nil) == powersOfTwo(upTo: 1024) + [Evaluator.fullLoad])
        #expect(e.batchCaps(maxBatch: 64) == powersOfTwo(upTo: 64))
        #expect(e.evaluateLargestBatch(Strategy(tp: 1), batch: nil, maxBatch: nil).candidate.batch == full.candidate.batch)
        #expect(e.evaluateLargestBatch(Strategy(tp: 1), batch: nil, maxBatch: 1024).candidate.batch == 1024)
        let best = try #require(e.search().ranked.first { $0.candidate.strategy == s })
        #expect(best.candidate.batch == full.candidate.batch)
        // Static batching runs what it is given: no full-load cap.
        let fixed = try evaluator("llama-3-8b", "dgx-h100", input: 128, output: 128, mode: .static)
        #expect(fixed.batchCaps(maxBatch: nil) == powersOfTwo(upTo: 1024))
    }

    private func feasibleCount(_ r: SearchResult) -> Int {
        r.candidates - r.illegal - r.outOfMemory - r.missedSLO
    }
}

@Suite struct DisaggregationTests {
    /// Separate prefill and decode pools: within the cluster, rates balanced by the pool sizes,
    /// and TTFT paying for the K/V cache's trip between them.
    @Test func poolsFitBalanceAndPayForTheTransfer() throws {
        let e = try evaluator("llama-3-70b", "hgx-b200", mode: .continuous, maxTTFTMs: 1000, maxTPOTMs: 50)
        var evaluated = 0
        let best = try #require(e.bestDisaggregated(tps: [1, 2, 4, 8], eps: [1], batches: [1, 8, 64, 512],
                                                    evaluated: &evaluated))
        let d = try #require(best.disaggregation)
        let m = try #require(best.metrics)
        #expect(evaluated > 0 && evaluated % 2 == 0)
        #expect(d.prefill.chiplets + d.decode.chiplets == best.chipletsUsed)
        #expect(best.chipletsUsed <= 64)
        #expect(abs(m.outputTokensPerSecond - min(d.prefillRequestsPerSecond, d.decodeRequestsPerSecond) * 256) < 1e-6)
        #expect(m.ttftMs <= 1000 && m.tpotMs <= 50)
        // 1,024 prompt tokens × 327,680 B of bf16 K/V, split over the prefill replica's chiplets,
        // over the innermost level holding a replica of each pool.
        let cp = d.prefill.tp * d.prefill.pp * d.prefill.ep, cd = d.decode.tp * d.decode.pp * d.decode.ep
        let h = e.hierarchy
        let level = h.levels.firstIndex { $0.chipletsPerUnit >= cp + cd } ?? (h.levels.count - 1)
        let expected = (h.levels[level].alphaS + 1024 * 327_680 / Double(cp) / h.sharedBytesPerS(level)) * 1000
        #expect(abs(d.kvTransferMs - expected) < 1e-9)
    }

    @Test func staticBatchingSearchHasNoPools() throws {
        let r = try evaluator("llama-3-8b", "hgx-b200", mode: .static, maxTPOTMs: 50).search()
        #expect(r.ranked.allSatisfy { $0.disaggregation == nil })
    }
}

@Suite struct PlanFileTests {
    /// A plan file that disagrees with itself is refused with the key that is wrong.
    @Test func inconsistentPlansAreRefused() throws {
        let e = try evaluator("tiny-llama", "dgx-a100", input: 16, output: 8, batch: 2)
        let plan = try #require(e.plan(e.evaluate(Candidate(strategy: Strategy(tp: 2, pp: 2), batch: 2))))
        #expect(plan.inconsistency == nil)
        var p = plan; p.chiplets.removeLast()
        #expect(p.inconsistency == "chiplets: 3 entries but the strategy TP2 PP2 DP1 needs 4")
        p = plan; p.stages[1].layerClasses = [0, 5]
        #expect(p.inconsistency == "stages[1].layerClasses: class 5 does not exist (there are 1)")
        p = plan; p.chiplets[2].tpGroup = [2, 9]
        #expect(p.inconsistency == "chiplets[2]: peer 9 is not a chiplet of this plan")
        p = plan; p.chiplets[1].tpRank = -1
        #expect(p.inconsistency == "chiplets[1].tpRank: expected 0 to 1, got -1")
        p = plan; p.chiplets[0].tpGroup = [1, 1]
        #expect(p.inconsistency == "chiplets[0]: a chiplet appears twice in its TP or EP group")
        p = plan; p.levels = []
        #expect(p.inconsistency == "levels: expected at least one level, got none")
        p = plan; p.layerClasses[0].ops[0].prefillSeconds = 1e308 * 10
        #expect(p.inconsistency?.hasPrefix("layerClasses[0].ops[0]: expected tpDivisor ≥ 1") == true)
        p = plan; p.stages[1].layerCount = 1; p.stages[1].layerClasses = [0]
        #expect(p.inconsistency == "stages: their layers do not add up to the model's 4")
        // `make fuzz` crashers (seed 1, plan cases 3695 and 8057): a stage's first layer past
        // Int32 trapped in lowering; an output length of Int.min overflowed the step count.
        p = plan; p.stages[0].firstLayer = 8_589_934_592
        #expect(p.inconsistency == "stages[0]: expected firstLayer 0 (after the stage before) and layerCount 0 to 4, got 8589934592 and 2")
        p = plan; p.scenario.outputTokens = .min
        #expect(p.inconsistency == "scenario.outputTokens: expected 1 to 100000000, got -9223372036854775808")
        // `make fuzz` nan/inf cases (seed 1, plan cases 101032, 101471, 102125, 102626): a figure
        // the plan reports set to -2^63 was read back and printed as it was.
        p = plan; p.communication.stageSendBytesPrefill = -9.223372036854776e18
        #expect(p.inconsistency == "communication.stageSendBytesPrefill: expected a finite number ≥ 0, got -9.223372036854776e+18")
        p = plan; p.memory.tiers[0].reserveBytes = -1
        #expect(p.inconsistency == "memory.tiers[0].reserveBytes: expected a finite number ≥ 0, got -1.0")
        p = plan; p.levels[0].chipletsPerUnit = .min  // seed 1, plan case 5866
        #expect(p.inconsistency?.hasPrefix("levels[0]: expected a known topology, a positive count and chipletsPerUnit, ") == true)
        p = plan; p.predicted.outputTokensPerSecondPerChip = -.infinity
        #expect(p.inconsistency == "predicted.outputTokensPerSecondPerChip: expected a finite number ≥ 0, got -inf")

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(getpid()).json").path
        try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: path))
        #expect(try Plan.load(path: path).chiplets.count == 4)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: PlanFileError.self) { try Plan.load(path: path) }
    }
}
