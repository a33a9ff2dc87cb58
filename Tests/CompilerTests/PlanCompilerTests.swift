import ClusterSpec
import CostModel
import Planner
import Testing
@testable import Compiler

/// The pipeline over whole plans, priced by the planner's evaluator.
@Suite struct PlanCompilerTests {
    /// The default pipeline reproduces the plan: the same kernels, tilings and predicted TPOT.
    @Test func defaultPipelineReproducesThePlan() throws {
        let (plan, spec) = try Tiny.plan(tp: 2, batch: 2)
        let c = try PlanCompiler(plan: plan, cluster: spec, clusterFile: Tiny.path("Clusters/dgx-h100.yaml")).compile()
        #expect(c.reports.last?.after.tpotMs == plan.predicted.tpotMs)
        #expect(c.reports.last?.after.ttftMs == plan.predicted.ttftMs)
        #expect(c.plan.layerClasses[0].kernels == plan.layerClasses[0].kernels)
        #expect(c.plan.layerClasses[0].ops.map(\.tiling) == plan.layerClasses[0].ops.map(\.tiling))
        #expect(c.plan.tail.kernels == plan.tail.kernels && c.plan.head.kernels == plan.head.kernels)
        #expect(c.reports.map(\.pass) == Pipeline.names)
        #expect(c.reports.map(\.ran) == [true, true, false, true, true, true, true])
        #expect(Set(c.graphs.keys) == ["lift", "fold-constants", "fuse-kernels", "layout-tiles", "pad-to-array", "tile-memory", "schedule"])
    }

    /// Llama-3-70B at TP 8 on a DGX H100: fusion takes a layer from 14 kernels to 7 and the TPOT
    /// down with the launches and activation round trips it saves; without it the TPOT is higher.
    @Test func fusionCutsKernelsAndTPOTOnLlama70B() throws {
        let (plan, spec) = try Tiny.plan(model: "llama-3-70b.json", tp: 8, batch: 64, inputTokens: 1024, outputTokens: 128)
        let compiler = try PlanCompiler(plan: plan, cluster: spec, clusterFile: Tiny.path("Clusters/dgx-h100.yaml"))
        let all = try compiler.compile()
        let fuse = try #require(all.reports.first { $0.pass == "fuse-kernels" })
        #expect(fuse.before.kernelsPerLayer == 14 && fuse.after.kernelsPerLayer == 7)
        #expect(fuse.before.opsPerLayer == 16 && fuse.after.opsPerLayer == 16)
        // One chiplet's decode step: the embedding, 80 layers and the LM head's norm and GEMM.
        #expect(fuse.before.kernelsPerStep == 1 + 80 * 14 + 2 && fuse.after.kernelsPerStep == 1 + 80 * 7 + 2)
        #expect(fuse.after.tpotMs < fuse.before.tpotMs && fuse.after.bytesPerStep < fuse.before.bytesPerStep)
        let unfused = try compiler.compile(PassOptions(disabled: ["fuse-kernels"]))
        #expect(unfused.reports.last?.after.kernelsPerLayer == 14)
        #expect(try #require(unfused.reports.last?.after.tpotMs) > plan.predicted.tpotMs)
        #expect(unfused.plan.layerClasses[0].kernels?.count == 14)
    }

    @Test func aClusterWithOtherChipFiguresIsRefused() throws {
        let (plan, _) = try Tiny.plan(tp: 2, batch: 2)
        let other = try ClusterSpec.load(path: Tiny.path("Clusters/dgx-a100.yaml"))
        #expect(throws: CompileError.self) {
            try PlanCompiler(plan: plan, cluster: other, clusterFile: "Clusters/dgx-a100.yaml")
        }
    }
}
