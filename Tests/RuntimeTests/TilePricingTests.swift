import CostModel
import Foundation
import ModelGraph
import Planner
import Testing
@testable import Runtime

/// Each rank prices its tiles from their shapes through the chip model; the plan's op times are
/// never read.
@Suite struct TilePricingTests {
    /// Kernel tiles of one segment, with what a rank would charge for them at `step`.
    static func priced(_ plan: Plan, chiplet: Int, _ segment: KeyPath<Program, [Instruction]>, step: Int) throws -> Double {
        let program = try Lowering.program(plan: plan, chiplet: chiplet)
        var pricer = try TilePricer(plan: plan, program: program)
        return program[keyPath: segment].reduce(0.0) { sum, i in
            if case .compute(let c) = i { sum + pricer.seconds(c, step: step) } else { sum }
        }
    }

    /// tiny-llama TP 2: the fused q/k/v GEMM is N = (256 + 128 + 128) / 2 = 256 by K = 256 in
    /// MXINT8, over the prefill microbatch's 16-token prompts.
    @Test func loweredTilesStateTheirShapes() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        let program = try Lowering.program(plan: plan, chiplet: 0)
        let qkv = program.prefill.compactMap { i -> Compute? in
            if case .compute(let c) = i, c.layer == 0, program.ops[Int(c.op)] == "attn.q_proj" { c } else { nil }
        }
        let sequences = Double(plan.batch) / Double(plan.prefillMicrobatches)
        #expect(!qkv.isEmpty)
        #expect(qkv.allSatisfy { $0.shape?.kind == "gemm" && $0.shape?.dtype == "mxint8" && $0.shape?.k == 256 })
        #expect(qkv.allSatisfy { $0.shape?.m == sequences * 16 && $0.shape?.promptTokens == 16 })
        // One pass per microbatch.
        #expect(abs(qkv.reduce(0) { $0 + ($1.shape?.n ?? 0) } - 256 * Double(plan.prefillMicrobatches)) < 1e-9)
        // k and v are fused into q's kernel: their tiles carry no kernel of their own.
        let k = program.prefill.compactMap { i -> Compute? in
            if case .compute(let c) = i, c.layer == 0, program.ops[Int(c.op)] == "attn.k_proj" { c } else { nil }
        }
        #expect(k.allSatisfy { $0.kernel == -1 && $0.shape == nil && $0.seconds == 0 })
        // Attention in decode: 4 local heads × 32, attending the prompt and the first token at step 0.
        let attention = program.decodeStep.compactMap { i -> TileShape? in
            if case .compute(let c) = i, c.layer == 0, c.shape?.kind == "attention" { c.shape } else { nil }
        }
        #expect(attention.first?.n == 128 && attention.first?.k == 17 && attention.first?.context == 17)
    }

    /// Decode step s attends `input + 1 + s` positions; on the analytical twin attention is linear in
    /// context, so the mean of the steps' prices is the plan's one decode step at the mean context.
    @Test func decodeStepsGrowAndAverageToThePlansMeanStep() throws {
        let plan = try Fixtures.plan(model: "llama-3-8b.json", cluster: "dgx-h100.yaml", scenario: "batch-offline.json",
                                     precision: Precision(.bf16), tp: 2, pp: 2, batch: 8, analytical: true)
        let steps = plan.scenario.outputTokens - 1
        let first = try Self.priced(plan, chiplet: 2, \.decodeStep, step: 0)
        let last = try Self.priced(plan, chiplet: 2, \.decodeStep, step: steps - 1)
        #expect(last > first)
        // Linear in the step: the mean of the first and last step is the mean of all of them.
        let stage = plan.stages[1]
        let perMicrobatch = stage.layerClasses.reduce(0.0) { sum, c in sum + plan.layerClasses[c].ops.reduce(0) { $0 + $1.decodeSeconds } }
            + plan.tail.ops.reduce(0) { $0 + $1.decodeSeconds }
        let planned = Double(plan.decodeMicrobatches) * perMicrobatch
        #expect(abs((first + last) / 2 - planned) / planned < 1e-9)
    }

    /// Zeroing every predicted op time in the plan changes nothing the emulator measures.
    @Test func thePlansOpTimesAreNotRead() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        var blank = plan
        func zero(_ c: inout Plan.LayerClass) {
            for i in c.ops.indices { c.ops[i].prefillSeconds = 0; c.ops[i].decodeSeconds = 0 }
        }
        zero(&blank.head); zero(&blank.tail)
        for i in blank.layerClasses.indices { zero(&blank.layerClasses[i]) }
        var options = EmulationOptions()
        options.decodeSteps = 3
        let a = try Fixtures.emulate(plan, options), b = try Fixtures.emulate(blank, options)
        #expect(a.ttftMs > 0 && a.ttftMs == b.ttftMs && a.tpotMs == b.tpotMs)
    }

    /// Hostile chip figures and kernel shapes in a plan file are one-line errors naming the key.
    @Test func badChipFiguresAreErrorsNamingTheKey() throws {
        let plan = try Fixtures.plan(tp: 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-tile-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func reason(_ edit: (inout Plan) -> Void) throws -> String {
            var p = plan
            edit(&p)
            let path = dir.appendingPathComponent("plan.json").path
            try JSONEncoder().encode(p).write(to: URL(fileURLWithPath: path))
            do { _ = try Plan.load(path: path); return "" } catch { return error.reason }
        }
        #expect(try reason { $0.chip?.matmulTFLOPS = -1 }.contains("chip.matmulTFLOPS: expected a number from 1e-9 to 1e9, got -1.0"))
        #expect(try reason { $0.chip?.tiers = [] }.contains("chip.tiers: expected at least one memory tier"))
        #expect(try reason { $0.chip?.kernelTables = "/nonexistent/tables" }
            .contains("chip.kernelTables: /nonexistent/tables is not a folder of kernel tables"))
        #expect(try reason { $0.layerClasses[0].kernels?[0].n = -5 }.contains("layerClasses[0].kernels[0].n: expected a finite number ≥ 0"))
        #expect(try reason { $0.layerClasses[0].kernels?[0].topK = 0 }.contains("layerClasses[0].kernels[0].experts:"))
        var old = plan
        old.chip = nil
        #expect(throws: LowerError.self) { try Lowering.program(plan: old, chiplet: 0) }
    }
}
