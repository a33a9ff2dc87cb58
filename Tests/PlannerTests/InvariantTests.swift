import ClusterSpec
import CostModel
import ModelGraph
@testable import Planner
import Testing

@Suite struct InvariantTests {
    /// Each op's shard times its divisor gives back the op: nothing is lost or double-counted
    /// except where replication is intended (KV heads beyond their count, the router).
    @Test(arguments: ["llama-3-8b", "mixtral-8x7b", "deepseek-v3", "gpt3-175b", "tiny-moe"])
    func shardedFLOPsSumToUnsharded(_ name: String) throws {
        let model = try ModelGraph.load(path: Repo.workload(name))
        for tp in [1, 2, 4, 8] {
            let shard = ModelShard(model: model, shard: Shard(tp: tp), precision: .bf16)
            var total = 0.0
            for layer in 0..<model.layerCount {
                for (op, share) in zip(model.ops(inLayer: layer), shard.layer(layer).ops) {
                    #expect(share.flopsPerToken * Double(share.tpDivisor) == op.flopsPerToken)
                    total += share.flopsPerToken * Double(share.tpDivisor)
                }
            }
            for share in shard.head.ops + shard.tail.ops { total += share.flopsPerToken * Double(share.tpDivisor) }
            let unsharded = model.ops.reduce(0.0) { $0 + $1.flopsPerToken }
            #expect(abs(total - unsharded) <= 1e-9 * unsharded, "TP \(tp)")
        }
    }

    /// Every layer sits in exactly one stage, stages are contiguous and non-empty.
    @Test func everyLayerInExactlyOneStage() throws {
        for name in ["llama-3.1-405b", "deepseek-v3", "tiny-llama"] {
            let e = try evaluator(name, "gb200-nvl72")
            let layers = e.inputs.model.layerCount
            for pp in [1, 2, 3, 4, 7, layers] where pp <= layers {
                let s = Strategy(tp: 1, pp: pp)
                let split = e.stageSplit(s, batch: 8, shard: e.modelShard(Shard(tp: 1)))
                #expect(split.layers.count == pp)
                #expect(split.layers.reduce(0, +) == layers)
                #expect(split.layers.allSatisfy { $0 >= 1 })
                #expect(split.classCounts.map { $0.reduce(0, +) } == split.layers)
            }
        }
    }

    /// The balanced split is the min-max partition: checked against brute force on 200 seeded
    /// random cost vectors (with ties and end-stage extras), and one written out.
    @Test func balanceStagesIsOptimalOnRandomCosts() {
        var rng = UInt64(42)
        func next() -> Double { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Double(rng >> 61) }
        for _ in 0..<200 {
            let n = 3 + Int(next()), costs = (0..<n).map { _ in next() }
            let first = next(), last = next()
            for k in 1...min(n, 5) {
                func go(_ start: Int, _ left: Int) -> Double {
                    let extra = left == 1 ? last : 0
                    if left == 1 { return costs[start...].reduce(0, +) + extra + (start == 0 ? first : 0) }
                    var m = Double.infinity
                    for end in (start + 1)...(n - left + 1) {
                        let head = costs[start..<end].reduce(0, +) + (start == 0 ? first : 0)
                        m = min(m, max(head, go(end, left - 1)))
                    }
                    return m
                }
                let sizes = balanceStages(costs: costs, stages: k, fixedFirst: first, fixedLast: last)
                var at = 0, worst = 0.0
                for (i, size) in sizes.enumerated() {
                    let extra = (i == 0 ? first : 0) + (i == k - 1 ? last : 0)
                    worst = max(worst, costs[at..<(at + size)].reduce(0, +) + extra)
                    at += size
                }
                #expect(at == n && sizes.allSatisfy { $0 >= 1 })
                #expect(worst == go(0, k), "\(costs) into \(k): \(sizes)")
            }
        }
    }

    @Test func balanceStagesIsOptimal() {
        let costs: [Double] = [5, 1, 1, 1, 1, 7, 2, 2, 3, 1]
        func best(_ k: Int) -> Double {
            // Brute force over all cut positions.
            func go(_ start: Int, _ left: Int) -> Double {
                if left == 1 { return costs[start...].reduce(0, +) }
                var m = Double.infinity
                for end in (start + 1)...(costs.count - left + 1) {
                    m = min(m, max(costs[start..<end].reduce(0, +), go(end, left - 1)))
                }
                return m
            }
            return go(0, k)
        }
        for k in 1...6 {
            let sizes = balanceStages(costs: costs, stages: k)
            var first = 0, worst = 0.0
            for n in sizes { worst = max(worst, costs[first..<(first + n)].reduce(0, +)); first += n }
            #expect(worst == best(k), "\(k) stages: \(sizes)")
        }
        // The end stages' extra cost (embedding, LM head) pushes layers off them.
        let ends = balanceStages(costs: [1, 1, 1, 1, 1, 1], stages: 3, fixedFirst: 0, fixedLast: 2)
        #expect(ends.last == 1 && ends.reduce(0, +) == 6)
    }

    /// EP places every routed expert exactly once per replica.
    @Test func expertParallelPlacesEveryExpertOnce() throws {
        let e = try evaluator("mixtral-8x7b", "dgx-h100", input: 512, output: 128, batch: 64)
        for ep in [2, 4, 8] {
            let eval = e.evaluate(Candidate(strategy: Strategy(tp: 1, pp: 2, dp: 2, ep: ep), batch: 64))
            #expect(eval.feasible, "\(eval.reason ?? "")")
            let plan = try #require(e.plan(eval))
            for replica in 0..<2 { for stage in 0..<2 {
                let group = plan.chiplets.filter { $0.dpRank == replica && $0.stage == stage }
                let experts = group.flatMap { $0.expertFirst..<($0.expertFirst + $0.expertCount) }
                #expect(experts.sorted() == Array(0..<8), "EP \(ep) replica \(replica) stage \(stage)")
            } }
        }
    }

    /// A plan's chiplets are exactly the strategy's, each in one TP group of the right size.
    @Test func planMapsEveryChipletOnce() throws {
        let e = try evaluator("llama-3-70b", "dgx-h100", batch: 16)
        let s = Strategy(tp: 4, pp: 2, dp: 2)
        let plan = try #require(e.plan(e.evaluate(Candidate(strategy: s, batch: 16))))
        #expect(plan.chiplets.map(\.index) == Array(0..<16))
        #expect(Set(plan.chiplets.map(\.tpGroup)).count == 4)
        #expect(plan.chiplets.allSatisfy { $0.tpGroup.count == 4 && $0.tpGroup.contains($0.index) })
        #expect(plan.chiplets.filter { $0.stage == 0 }.allSatisfy { $0.nextStage.map { plan.chiplets[$0].stage } == 1 })
        // Megatron order: TP innermost, so a TP group is 4 consecutive GPUs in one node.
        #expect(plan.chiplets[5].tpGroup == [4, 5, 6, 7])
    }
}
