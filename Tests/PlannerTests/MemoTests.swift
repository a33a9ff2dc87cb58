import ClusterSpec
import CostModel
import Foundation
import ModelGraph
@testable import Planner
import Testing

/// The evaluator's memos (per-chip work shared across mapping orders, disaggregated pools and the
/// rack counts of a capacity sweep) change speed only: every evaluation and every search equals
/// one from evaluators that share nothing.
@Suite struct MemoTests {
    static func inputs(racks: Int, mode: BatchingMode) throws -> PlanInputs {
        let cluster = try ClusterSpec.load(path: Repo.cluster("hgx-b200")).scaled(levelCounts: ["cluster": racks])
        let scenario = Scenario(inputTokens: 2048, outputTokens: 256, batch: nil, mode: mode,
                                maxTTFTMs: 2000, maxTPOTMs: 40, precision: .bf16)
        return PlanInputs(modelName: "mixtral-8x7b", model: try ModelGraph.load(path: Repo.workload("mixtral-8x7b")),
                          cluster: cluster, scenario: scenario)
    }

    /// What an evaluation reports, as comparable values.
    static func facts(_ e: Evaluation) -> String {
        "\(e.candidate) \(e.chipletsUsed) \(e.chipsUsed) \(e.stageLayers) \(String(describing: e.memory)) "
            + "\(String(describing: e.metrics)) \(String(describing: e.infeasibility)) \(e.fix ?? "-")"
    }

    @Test(arguments: [BatchingMode.continuous, .static])
    func searchFromAnotherRackCountsMemoEqualsAFreshSearch(mode: BatchingMode) throws {
        let two = try Evaluator(try Self.inputs(racks: 2, mode: mode))
        _ = two.search()
        let warm = try Evaluator(try Self.inputs(racks: 1, mode: mode), memo: two.memo)
        let fresh = try Evaluator(try Self.inputs(racks: 1, mode: mode))
        #expect(!warm.memo.stages.isEmpty)
        let a = warm.search(), b = fresh.search()
        #expect(a.candidates == b.candidates && a.illegal == b.illegal && a.outOfMemory == b.outOfMemory)
        #expect(a.missedSLO == b.missedSLO)
        #expect(a.ranked.map(Self.facts) == b.ranked.map(Self.facts))
        #expect(a.pareto.map(Self.facts) == b.pareto.map(Self.facts))
        #expect(a.failures.map { "\($0.reason) \($0.count)" } == b.failures.map { "\($0.reason) \($0.count)" })
        // Every path ran: winners, SLO misses, and (static batches do not shrink to fit) memory misses.
        #expect(!a.ranked.isEmpty && a.missedSLO > 0)
        #expect(mode == .continuous || a.outOfMemory > 0)
    }

    /// Each candidate through one evaluator (memos warm from a two-rack search and from the
    /// candidates before it) and through a new evaluator of its own.
    @Test(arguments: [BatchingMode.continuous, .static])
    func everyCandidateEqualsAnUnsharedEvaluation(mode: BatchingMode) throws {
        let two = try Evaluator(try Self.inputs(racks: 2, mode: mode))
        _ = two.search()
        let one = try Self.inputs(racks: 1, mode: mode)
        let shared = try Evaluator(one, memo: two.memo)
        var compared = 0, fits = 0
        for tp in [1, 2, 4, 8] { for ep in [1, 2, 8] { for pp in [1, 2, 4] { for batch in [1, 16, 256] {
            for order in [Strategy.megatronOrder, [.ep, .tp, .dp, .pp]] {
                let s = Strategy(tp: tp, pp: pp, dp: max(1, 32 / (tp * ep * pp)), ep: ep, order: order)
                let c = Candidate(strategy: s, batch: batch)
                let alone = try Evaluator(one).evaluate(c)
                #expect(Self.facts(shared.evaluate(c)) == Self.facts(alone))
                compared += 1
                if alone.metrics != nil { fits += 1 }
            }
        } } } }
        #expect(compared == 216)
        #expect(fits > 20)
    }

    /// The pipeline adds a run of equal stages one stage at a time, so its sums are bit for bit
    /// those of a pipeline that costs every stage on its own.
    @Test func stageRunsPriceLikeSingleStages() throws {
        let e = try evaluator("llama-3-70b", "hgx-b200", mode: .continuous)
        var compared = 0, longest = 0
        for tp in [1, 2, 8] { for pp in [3, 7, 10, 32] { for batch in [1, 64] {
            let s = Strategy(tp: tp, pp: pp, dp: 1)
            let shard = e.modelShard(Shard(tp: tp)), split = e.stageSplit(s, batch: batch, shard: shard)
            let memory = e.stageMemories(s, batch: batch, shard: shard, split: split)
            let single = StageMemories(stages: memory.stages, fullest: memory.fullest, allFit: memory.allFit,
                                       runs: memory.stages.indices.map { StageRun(first: $0, count: 1) })
            longest = max(longest, memory.runs.map(\.count).max() ?? 0)
            for work in [Work.decode(sequences: Double(batch), context: 1500), .prefill(sequences: 1, tokens: 1024)] {
                let a = e.pipeline(s, shard: shard, groups: e.groupsOf(s), split: split, memory: memory, work: work, microbatches: 2)
                let b = e.pipeline(s, shard: shard, groups: e.groupsOf(s), split: split, memory: single, work: work, microbatches: 2)
                #expect(a.latencyS == b.latencyS && a.cycleS == b.cycleS && a.firstHostS == b.firstHostS)
                #expect(a.stage.computeS == b.stage.computeS && a.stage.commS == b.stage.commS)
                #expect(a.stage.flops == b.stage.flops && a.stage.bytes == b.stage.bytes)
                compared += 1
            }
        } } }
        #expect(compared == 48)
        #expect(longest >= 20)  // PP 32 over 80 layers: runs of equal inner stages
    }
}
