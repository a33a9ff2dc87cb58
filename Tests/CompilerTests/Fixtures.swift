import ClusterSpec
import CostModel
import Foundation
import ModelGraph
import Planner
@testable import Compiler

/// tiny-llama (hidden 256, 8 heads of 32, 4 KV heads, FFN 768, 4 layers, 2,048 positions) as the
/// small graph every pass is checked on by hand.
enum Tiny {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func shard(tp: Int = 2) throws -> ModelShard {
        ModelShard(model: try ModelGraph.load(path: path("Workloads/tiny-llama.json")), shard: Shard(tp: tp), precision: Precision(.bf16))
    }

    static func context(tp: Int = 2, fusions: Set<SoftwareProfile.Fusion> = Set(SoftwareProfile.Fusion.allCases),
                        bufferBytes: Double = defaultOnChipBytes, weightStationary: Bool = false) -> CompileContext {
        CompileContext(fusions: fusions, kvHeads: 4, mla: false, bufferBytes: bufferBytes, decodeRows: 1, weightBytesPerElement: 2,
                       activationBytesPerElement: 2, maxPositions: 2048, headDim: 32, weightStationary: weightStationary, tp: tp)
    }

    /// The lifted graph of `shard(tp:)` with `passes` run in order.
    static func graph(tp: Int = 2, _ passes: [any GraphPass], context: CompileContext? = nil) throws -> KernelGraph {
        let c = context ?? self.context(tp: tp)
        var g = KernelGraph(lifting: try shard(tp: tp), context: c)
        for p in passes { p.run(&g, c) }
        return g
    }

    /// A plan of the model on a shipped cluster at a fixed strategy and batch.
    static func plan(model: String = "tiny-llama.json", cluster: String = "dgx-h100.yaml", tp: Int, batch: Int,
                     inputTokens: Int = 16, outputTokens: Int = 8) throws -> (Plan, ClusterSpec) {
        let graph = try ModelGraph.load(path: path("Workloads/" + model))
        let spec = try ClusterSpec.load(path: path("Clusters/" + cluster))
        var sc = Scenario(inputTokens: inputTokens, outputTokens: outputTokens, mode: .static)
        sc.precision = Precision(.bf16)
        let evaluator = try Evaluator(PlanInputs(modelName: graph.name, model: graph, cluster: spec, scenario: sc))
        let e = evaluator.evaluate(Candidate(strategy: Strategy(tp: tp), batch: batch))
        guard let plan = evaluator.plan(e) else { throw FixtureError(description: "infeasible: \(e.reason ?? "?")") }
        return (plan, spec)
    }
}

struct FixtureError: Error, CustomStringConvertible { var description: String }

extension KernelGraph {
    /// The one layer class of tiny-llama.
    var layer: Section { sections[2] }
}
