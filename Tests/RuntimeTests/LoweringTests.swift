import Testing
import Planner
@testable import Runtime

@Suite struct LoweringTests {
    /// Every instruction a program executes, in order.
    static func executed(_ p: Program) -> [Instruction] {
        p.prefill + Array([[Instruction]](repeating: p.decodeStep, count: p.decodeSteps).joined()) + p.epilogue
    }

    /// (source, destination, tag) → bytes of each message, as sent and as received.
    static func traffic(_ programs: [Program]) -> (sent: [String: [Double]], received: [String: [Double]]) {
        var sent: [String: [Double]] = [:], received: [String: [Double]] = [:]
        for p in programs {
            for i in executed(p) {
                switch i {
                case .send(let t): sent["\(p.chiplet)→\(t.peer)#\(t.tag)", default: []].append(t.bytes)
                case .recv(let t): received["\(t.peer)→\(p.chiplet)#\(t.tag)", default: []].append(t.bytes)
                default: break
                }
            }
        }
        return (sent, received)
    }

    @Test(arguments: [(2, 2, 1, 1, "tiny-llama.json"), (4, 2, 1, 1, "tiny-llama.json"), (2, 1, 2, 1, "tiny-llama.json"),
                      (1, 2, 1, 2, "tiny-moe.json"), (2, 2, 1, 2, "tiny-moe.json")])
    func sendsAndReceivesPair(tp: Int, pp: Int, dp: Int, ep: Int, model: String) throws {
        let plan = try Fixtures.plan(model: model, tp: tp, pp: pp, dp: dp, ep: ep)
        let (sent, received) = Self.traffic(try Lowering.lower(plan: plan))
        #expect(!sent.isEmpty)
        #expect(sent == received)
    }

    @Test func tinyLlamaTP2PP2Counts() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        let programs = try Lowering.lower(plan: plan)
        #expect(programs.map(\.chiplet) == [0, 1, 2, 3])
        #expect(programs.map(\.stage) == [0, 0, 1, 1])
        // The split balances each stage's whole-life cost: on Corsair every kernel group pays the
        // fitted 0.75 µs, so a layer's groups outweigh tiny-llama's LM head and the split is even.
        #expect(plan.stages.map(\.layerCount) == [2, 2])
        // 2 microbatches × (the software's step + embedding + 2 layers × 16 ops) on the first
        // stage, plus its all-reduces (1 + 2 per layer, each 2 steps of send + recv for TP 2).
        let computes = programs[0].prefill.filter { if case .compute = $0 { true } else { false } }.count
        #expect(computes == 2 * (1 + 1 + 2 * 16))
        #expect(programs.map(\.decodeSteps) == [7, 7, 7, 7])
        // Stage 0: 2 microbatches × (34 computes + 5 all-reduces × 4 + 1 send) = 110 per pass, each
        // decode step one token receive more per microbatch (112), 2 epilogue receives:
        // 110 + 7 × 112 + 2 = 896. Stage 1: 2 × (recv + 2 × 16 + 2 computes + 5 all-reduces × 4 +
        // token send) = 112 per pass, 8 passes = 896.
        #expect(programs.map(\.executedCount) == [896, 896, 896, 896])
    }

    @Test func tp4RingAllReduceHasTwoTimesThreeStepsPerRank() throws {
        let lowering = CollectiveLowering(link: Harness.link, purpose: .allReduceTP, layer: 0, phase: .prefill)
        var out: [Instruction] = []
        lowering.allReduce(group: [0, 1, 2, 3], me: 1, bytes: 4e6, into: &out)
        let steps = out.compactMap { i -> String? in
            switch i {
            case .send(let t): "s\(t.step)→\(t.peer):\(t.unitStart)\(t.combine == .add ? "+" : "=")"
            case .recv(let t): "r\(t.step)←\(t.peer):\(t.unitStart)\(t.combine == .add ? "+" : "=")"
            default: nil
            }
        }
        // Reduce-scatter (add) then all-gather (copy) around the ring 0→1→2→3→0; rank 1 ends
        // the reduce-scatter owning quarter 2.
        #expect(steps == ["s0→2:1+", "r0←0:0+", "s1→2:0+", "r1←0:3+", "s2→2:3+", "r2←0:2+",
                          "s3→2:2=", "r3←0:1=", "s4→2:1=", "r4←0:0=", "s5→2:0=", "r5←0:3="])
        #expect(out.allSatisfy { if case .send(let t) = $0 { t.bytes == 1e6 } else { true } })
    }

    @Test func smallAllReduceTakesTheTree() throws {
        // 264 bytes over TP 4 on a Corsair package: α dominates, so the binomial tree wins, as in
        // the planner's choice: rank 1 sends its sum to rank 0 and gets the result back.
        let plan = try Fixtures.plan(tp: 4)
        let program = try Lowering.program(plan: plan, chiplet: 1)
        let steps = program.decodeStep.compactMap { i -> String? in
            switch i {
            case .send(let t) where t.purpose == .allReduceTP && t.layer == 0: "s\(t.step)→\(t.peer)"
            case .recv(let t) where t.purpose == .allReduceTP && t.layer == 0: "r\(t.step)←\(t.peer)"
            default: nil
            }
        }
        #expect(steps == ["s0→0", "r3←0", "s0→0", "r3←0"])
    }

    @Test func eachLayerRunsInExactlyOneStage() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 4)
        var stagesOfLayer: [Int32: Set<Int>] = [:]
        for p in try Lowering.lower(plan: plan) {
            for case .compute(let c) in p.prefill + p.decodeStep where c.layer >= 0 {
                stagesOfLayer[c.layer, default: []].insert(p.stage)
            }
        }
        #expect(stagesOfLayer == [0: [0], 1: [1], 2: [2], 3: [3]])
    }

    @Test func oneReplicaLowersTheChipletsOfReplicaZero() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2, dp: 2)
        #expect(Lowering.emulatedChiplets(plan, oneReplica: true) == [0, 1, 4, 5])
        #expect(Emulation.ranksNeeded(plan, oneReplica: true) == 4)
        #expect(Emulation.ranksNeeded(plan, oneReplica: false) == 8)
    }
}
