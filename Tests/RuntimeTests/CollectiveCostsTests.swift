import CostModel
import ModelGraph
import Planner
@testable import Runtime
import Testing

/// What the emulator takes from a chip's measured collective tables (a fixed cost and the bus
/// bandwidth NCCL reaches, figures worked from Clusters/kernels/gb200/collectives.csv), and how a
/// hierarchical all-to-all orders its shares.
@Suite struct CollectiveCostsTests {
    /// Mixtral TP 2 × EP 4 on GB200: the all-to-all of 4 ranks takes 10.68 µs for 512 bytes
    /// (NCCL, fp16) against the rack link's 1.5 + 2.0 µs, and 825.4 µs for 512 MiB, a bus
    /// bandwidth of 3/4 × 536,870,912 B / 825.4 µs against the port's 900 GB/s.
    @Test func gb200AllToAllPaysNCCLsFixedCostAndBandwidth() throws {
        let plan = try Fixtures.plan(model: "mixtral-8x7b.json", cluster: "gb200-nvl72.yaml", scenario: "batch-offline.json",
                                       precision: Precision(.bf16), tp: 2, ep: 4, batch: 4)
        let costs = CollectiveCosts(plan: plan, link: LinkModel(plan))
        #expect(abs(costs.allToAllEP.fixedS - (10.68 - 3.5) * 1e-6) < 1e-12)
        let busBytesPerS = 0.75 * 536_870_912 / 825.4e-6
        #expect(abs(costs.allToAllEP.wireScale - 900e9 / busBytesPerS) < 1e-9)
        // All-reduce of 2: TensorRT-LLM's one-shot kernel, 3.753 µs at 256 bytes, 1,926 µs at 1 GiB.
        #expect(abs(costs.allReduceTP.fixedS - (3.753e-6 - 3.5e-6 - 1 / 900e9)) < 1e-12)
        #expect(abs(costs.allReduceTP.wireScale - 900e9 / (1_073_741_824 / 1926e-6)) < 1e-9)
    }

    /// The fixed cost is one "collective sync" instruction before every all-to-all of the program.
    @Test func everyAllToAllFollowsItsSyncInstruction() throws {
        let plan = try Fixtures.plan(model: "mixtral-8x7b.json", cluster: "gb200-nvl72.yaml", scenario: "batch-offline.json",
                                       precision: Precision(.bf16), tp: 2, ep: 4, batch: 4)
        let program = try Lowering.program(plan: plan, chiplet: 0, decodeSteps: 1)
        let sync = try #require(program.ops.firstIndex(of: "collective sync"))
        var syncs = 0, allToAlls = 0
        for (i, instruction) in program.decodeStep.enumerated() {
            if case .compute(let c) = instruction, c.op == sync, abs(c.seconds - 7.18e-6) < 1e-12 { syncs += 1 }
            if case .send(let t) = instruction, t.purpose == .allToAllEP, t.step == 0 {
                allToAlls += 1
                guard case .compute(let c) = program.decodeStep[i - 1] else { Issue.record("no sync before \(t.what)"); continue }
                #expect(c.op == sync || program.ops[Int(c.op)] == "collective launch")
            }
        }
        #expect(allToAlls == 2 * 32)
        #expect(syncs == allToAlls)
    }

    /// Round r goes to q ⊕ r digit by digit: each round a permutation, so no receiver gets two
    /// shares at once, and on 2 × 2 × 2 every member's round crosses the same level.
    @Test func hierarchicalAllToAllRoundsArePermutations() {
        #expect(CollectiveLowering.allToAllPeer(5, 3, radix: [2, 2, 2], sign: 1) == 6)
        #expect(CollectiveLowering.allToAllPeer(1, 3, radix: [4], sign: 1) == 0)
        #expect(CollectiveLowering.allToAllPeer(1, 3, radix: [4], sign: -1) == 2)
        for radix in [[2, 2, 2], [4, 2], [3, 2], [8]] {
            let p = radix.reduce(1, *)
            for r in 1..<p {
                let to = (0..<p).map { CollectiveLowering.allToAllPeer($0, r, radix: radix, sign: 1) }
                #expect(Set(to).count == p && !to.enumerated().contains { $0.offset == $0.element }, "\(radix) round \(r)")
                for q in 0..<p { #expect(CollectiveLowering.allToAllPeer(to[q], r, radix: radix, sign: -1) == q) }
            }
        }
    }
}
