import ArgumentParser
import Capacity
import ClusterSpec
import CostModel
import Foundation
import HostTopology
import ModelGraph
import Mutation
import Planner
import Runtime

/// One loader `tessera bench fuzz` drives: the shipped inputs it mutates and how a case is loaded.
/// A loader passes a case when it returns or throws; it fails only by trapping or hanging.
struct FuzzLoader: Sendable {
    let name: String
    /// The shipped inputs, each with the path under `folder` where its mutations are written.
    let seeds: @Sendable (_ root: String, _ folder: String) throws -> [MutationSeed]
    let load: @Sendable (_ root: String, _ path: String) throws -> Void

    static let all: [FuzzLoader] = [
        FuzzLoader(name: "model", seeds: { try shipped($0, "Workloads", ".json", into: $1) }, load: { _, path in
            let graph = try ModelGraph.load(path: path)
            _ = graph.flopsPerToken
            _ = graph.weightBytes(.bf16)
        }),
        FuzzLoader(name: "scenario", seeds: { try shipped($0, "Workloads/scenarios", ".json", into: $1) }, load: {
            _ = try Scenario.load(path: $1)
        }),
        FuzzLoader(name: "cluster", seeds: { try shipped($0, "Clusters", ".yaml", into: $1) }, load: {
            _ = try ClusterSpec.load(path: $1)
        }),
        FuzzLoader(name: "software", seeds: { try shipped($0, "Clusters/software", ".yaml", into: $1) }, load: {
            _ = try SoftwareProfile.load(path: $1)
        }),
        FuzzLoader(name: "measurements", seeds: { try shipped($0, "Experiments/calibration", ".csv", into: $1) }, load: {
            _ = try Measurement.load(path: $1)
        }),
        // The head of each GB200 table (header and 64 rows): the whole tables are 0.7 MB each, and
        // a mutation hits the same parser whichever row it lands on.
        FuzzLoader(name: "kernels", seeds: { root, folder in
            try shipped(root, "Clusters/kernels/gb200", ".csv", into: folder).enumerated().map { i, seed in
                let name = (seed.casePath as NSString).lastPathComponent
                let dir = folder + "/table\(i)"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let head = seed.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(65)
                return MutationSeed(text: head.joined(separator: "\n"), casePath: dir + "/" + name)
            }
        }, load: { _, path in
            _ = try KernelTables.load(directory: (path as NSString).deletingLastPathComponent)
        }),
        // A plan written by the planner, read back and lowered to programs, as `lower` and
        // `emulate` do: the planner never trusts what it reads back.
        FuzzLoader(name: "plan", seeds: { root, folder in
            [MutationSeed(text: try tinyPlan(root), casePath: folder + "/plan.json")]
        }, load: { _, path in
            _ = try Lowering.lower(plan: try Plan.load(path: path))
        }),
        // Capacity specs name their models and clusters relative to Experiments/, so the mutated
        // text is parsed as if it were there.
        FuzzLoader(name: "capacity", seeds: { root, folder in
            try shipped(root, "Experiments", ".yaml", into: folder).filter { seed in
                let original = root + "/Experiments/" + (seed.casePath as NSString).lastPathComponent
                return (try? CapacitySpec.load(path: original)) != nil
            }
        }, load: { root, path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            _ = try CapacitySpec.parse(yaml: text, file: path, folder: root + "/Experiments")
        }),
        FuzzLoader(name: "hwloc-xml", seeds: { try shipped($0, "Tests/HostTopologyTests/Fixtures", ".xml", into: $1) }, load: {
            _ = try Topology(xmlFile: $1).puIndicesByCore
        }),
    ]

    /// Every `ext` file of `root/folder`, sorted, each mutated into `into/<its name>`.
    static func shipped(_ root: String, _ folder: String, _ ext: String, into: String) throws -> [MutationSeed] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder).filter { $0.hasSuffix(ext) }.sorted()
            .map { MutationSeed(text: try String(contentsOfFile: root + "/" + folder + "/" + $0, encoding: .utf8),
                                casePath: into + "/" + $0) }
    }

    /// Tiny-Llama at TP 2 × PP 2, batch 2 on a DGX-A100, as plan.json text.
    static func tinyPlan(_ root: String) throws -> String {
        let graph = try ModelGraph.load(path: root + "/Workloads/tiny-llama.json")
        let inputs = PlanInputs(modelName: graph.name, model: graph, cluster: try ClusterSpec.load(path: root + "/Clusters/dgx-a100.yaml"),
                                scenario: try Scenario.load(path: root + "/Workloads/scenarios/chat.json"))
        let evaluator = try Evaluator(inputs)
        guard let plan = evaluator.plan(evaluator.evaluateLargestBatch(Strategy(tp: 2, pp: 2), batch: 2, maxBatch: 2)) else {
            throw ValidationError("the seed plan (tiny-llama, TP 2 × PP 2 on dgx-a100) is infeasible")
        }
        return String(decoding: try prettyJSON(plan), as: UTF8.self)
    }
}
