import ArgumentParser
import ClusterSpec
import Foundation
import ModelGraph
import Planner

/// `tessera bench plan`: how fast the planner searches, per shipped model on the largest shipped
/// cluster. Single-threaded; run the release build for figures worth quoting.
struct BenchPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Time the planner's full search for every shipped model on the largest shipped cluster.",
        discussion: """
        Prints, per model, the candidates evaluated, the search time and candidates per second \
        (best of --repeats runs, each with a fresh evaluator so no cache carries over).

          .build/release/tessera bench plan
          .build/release/tessera bench plan --cluster Clusters/dgx-h100.yaml --repeats 5
        """)

    @Option(help: "Folder of workload files.") var workloads = "Workloads"
    @Option(help: "Cluster to search on (default: 16 × GB200 NVL72, 1,152 GPUs, the figure the README quotes).")
    var cluster = "Clusters/gb200-nvl72.yaml"
    @Option(help: "Runs per model; the fastest is reported.") var repeats = 3

    func run() throws {
        let fm = FileManager.default
        let clusterPath = cluster
        let spec: ClusterSpec
        let models: [String]
        do {
            spec = try ClusterSpec.load(path: clusterPath)
            models = try fm.contentsOfDirectory(atPath: workloads).filter { $0.hasSuffix(".json") }.sorted()
        } catch { throw fail(error) }
        print("planner search on \(spec.name) (\(spec.totalChiplets) chiplets), 1024 → 256 tokens, continuous, bf16; "
            + "best of \(repeats) runs, one thread")
        var rows: [[String]] = []
        var totalCandidates = 0, totalSeconds = 0.0
        for file in models {
            let graph = try ModelGraph.load(path: "\(workloads)/\(file)")
            let inputs = PlanInputs(modelName: graph.name, model: graph, cluster: spec,
                                    scenario: Scenario(inputTokens: 1024, outputTokens: 256, mode: .continuous))
            var best = Double.infinity, candidates = 0
            for _ in 0..<max(1, repeats) {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try Evaluator(inputs).search()
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                candidates = result.candidates
            }
            totalCandidates += candidates
            totalSeconds += best
            rows.append([graph.name, "\(candidates)", String(format: "%.3f", best),
                         String(format: "%.0f", Double(candidates) / best)])
        }
        print(alignedTable(["model", "candidates", "search s", "candidates/s"], rows))
        print(String(format: "all models: %d candidates in %.3f s, %.0f candidates/s", totalCandidates, totalSeconds,
                     Double(totalCandidates) / totalSeconds))
    }
}
