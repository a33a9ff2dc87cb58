import ClusterSpec
import Foundation
import ModelGraph
@testable import Planner

/// Paths to the shipped data files, found from this source file.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func workload(_ name: String) -> String { root.appendingPathComponent("Workloads/\(name).json").path }
    static func cluster(_ name: String) -> String { root.appendingPathComponent("Clusters/\(name).yaml").path }
    static func scenario(_ name: String) -> String { root.appendingPathComponent("Workloads/scenarios/\(name).json").path }
}

/// An evaluator for a shipped model and cluster with a scenario built in code.
func evaluator(_ model: String, _ cluster: String, input: Int = 1024, output: Int = 256, batch: Int? = nil,
               mode: BatchingMode = .static, precision: Precision = .bf16,
               maxTTFTMs: Double? = nil, maxTPOTMs: Double? = nil) throws -> Evaluator {
    let scenario = Scenario(inputTokens: input, outputTokens: output, batch: batch, mode: mode,
                            maxTTFTMs: maxTTFTMs, maxTPOTMs: maxTPOTMs, precision: precision)
    return try Evaluator(PlanInputs(modelName: model, model: try ModelGraph.load(path: Repo.workload(model)),
                                    cluster: try ClusterSpec.load(path: Repo.cluster(cluster)), scenario: scenario))
}

/// A one-level cluster written inline, for hand-computed cases.
func handCluster(chiplets: Int, topology: String = "ring", bandwidthGBps: Double = 100, latencyUs: Double = 2,
                 tflops: Double = 100, matmulEfficiency: Double = 0.5, hbmGBps: Double = 1000,
                 capacityGB: Double = 80, extraLevels: String = "") throws -> ClusterSpec {
    try ClusterSpec.parse(yaml: """
        name: hand
        chip: chiplet
        chiplet:
          name: hand-chip
          compute:
            tflops: {bf16: \(tflops)}
            matmulEfficiency: \(matmulEfficiency)
            vectorEfficiency: 0.25
          memory:
            - {name: HBM, capacityGB: \(capacityGB), bandwidthGBps: \(hbmGBps)}
          powerW: 500
        levels:
          - name: node
            count: \(chiplets)
            link: {topology: \(topology), bandwidthGBps: \(bandwidthGBps), latencyUs: \(latencyUs)}
        \(extraLevels)
        """, file: "hand.yaml")
}
