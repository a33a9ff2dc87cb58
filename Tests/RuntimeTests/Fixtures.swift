import ClusterSpec
import Foundation
import ModelGraph
import Planner
@testable import Runtime

/// Plans built in-process from the shipped Workloads/ and Clusters/ files.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func plan(model: String = "tiny-llama.json", cluster: String = "corsair-rack.yaml",
                     scenario: String = "tiny-test.json", precision: Precision? = Precision(.mxint8),
                     tp: Int = 1, pp: Int = 1, dp: Int = 1, ep: Int = 1, batch: Int? = nil,
                     inputTokens: Int? = nil, analytical: Bool = false) throws -> Plan {
        let graph = try ModelGraph.load(path: path("Workloads/" + model))
        var spec = try ClusterSpec.load(path: path("Clusters/" + cluster))
        // The analytical twin: no measured tables, no software costs (what the link model mirrors).
        if analytical { spec.chiplet.compute.kernels = nil; spec.software = .bare }
        var sc = try Scenario.load(path: path("Workloads/scenarios/" + scenario))
        if let precision { sc.precision = precision }
        if let inputTokens { sc.inputTokens = inputTokens }
        let evaluator = try Evaluator(PlanInputs(modelName: graph.name, model: graph, cluster: spec, scenario: sc))
        let e = evaluator.evaluate(Candidate(strategy: Strategy(tp: tp, pp: pp, dp: dp, ep: ep), batch: batch ?? sc.batch ?? 1))
        guard let plan = evaluator.plan(e) else { throw FixtureError(description: "infeasible: \(e.reason ?? "?")") }
        return plan
    }

    /// Runs the plan on an in-process fabric; rank 0's result, or the first error.
    static func emulate(_ plan: Plan, _ options: EmulationOptions = EmulationOptions(), ranks: Int? = nil,
                        timeoutS: Double = 10) throws -> EmulationResult {
        let n = ranks ?? Emulation.ranksNeeded(plan, oneReplica: options.oneReplica)
        let results = InProcessFabric.run(ranks: n, timeoutS: timeoutS) { fabric in
            try Emulation.run(plan: plan, fabric: fabric, options: options)
        }
        for r in results { if case .failure(let e) = r { throw e } }
        guard case .success(let first?) = results.first else { throw FixtureError(description: "rank 0 returned no result") }
        return first
    }
}

/// A fixture that could not be built (not an error of the code under test).
struct FixtureError: Error, CustomStringConvertible { var description: String }
