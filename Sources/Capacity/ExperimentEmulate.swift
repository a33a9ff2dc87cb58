import ClusterSpec
import Foundation
import ModelGraph
import Planner

/// An `emulate` step: each plan is planned here (one fixed strategy), written to the results
/// folder, and run under `mpirun` by `tessera emulate` (one rank per chiplet) once per variant.
public struct EmulateStep: Sendable {
    public var table: String
    public var plans: [EmulatePlan]
    /// Launch variants (wait policy, binding, doorbells); the virtual times do not depend on them.
    public var variants: [EmulateVariant]
    /// Decode steps to emulate (nil: the scenario's output tokens − 1).
    public var decodeSteps: Int?
    /// A Poisson request stream instead of the plan's one batch.
    public var requests: Int?
    public var ratePerS: Double?
    public var seed: Int
    public var timeoutSeconds: Double
}

/// One plan of an emulate step: a model on a cluster with a fixed strategy and batch.
public struct EmulatePlan: Sendable {
    public var name: String
    public var model: String
    public var cluster: String
    public var scenario: String
    public var precision: Precision?
    public var strategy: Strategy
    public var batch: Int
    /// Level name → count (e.g. rack: 2), applied to the cluster before planning.
    public var levels: [String: Int]
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Disaggregated: the prefill pool's strategy (one replica, batch 1) beside the decode pool
    /// (`strategy`, `batch`); nil: one pool does both.
    public var prefill: Strategy? = nil
}

public struct EmulateVariant: Sendable {
    public var name: String
    /// auto, spin, cooperative or blocking (`tessera emulate --wait`).
    public var wait: String
    public var bind: Bool
    public var doorbells: Bool
    /// Plans with more ranks skip this variant (MPI's blocking waits oversubscribed take minutes).
    public var maxRanks: Int?

    public init(name: String, wait: String = "auto", bind: Bool = true, doorbells: Bool = true, maxRanks: Int? = nil) {
        self.name = name; self.wait = wait; self.bind = bind; self.doorbells = doorbells; self.maxRanks = maxRanks
    }

    /// The `tessera emulate` flags of this variant.
    var arguments: [String] {
        ["--wait", wait] + (bind ? [] : ["--no-bind"]) + (doorbells ? [] : ["--no-doorbells"])
    }
}

/// One `mpirun` job the experiment asks for: `tessera emulate <arguments>` on `ranks` ranks.
public struct EmulationLaunch: Sendable {
    public var ranks: Int
    public var arguments: [String]
    public var timeoutSeconds: Double
}

/// What rank 0 of an emulation reported (its `EMULATE` stats line and its notes).
public struct EmulatedFigures: Sendable {
    public var ranks: Int
    public var messages: Int
    public var ttftMs: Double
    public var tpotMs: Double
    public var outputTokensPerSecond: Double
    /// Wall time of the slowest rank's run, and of the whole mpirun job (start-up included).
    public var wallSeconds: Double
    public var jobSeconds: Double
    /// Why emulation and prediction differ by more than 5% ("note: …" lines, prefix removed).
    public var notes: [String]

    public init(ranks: Int, messages: Int, ttftMs: Double, tpotMs: Double, outputTokensPerSecond: Double,
                wallSeconds: Double, jobSeconds: Double, notes: [String]) {
        self.ranks = ranks; self.messages = messages; self.ttftMs = ttftMs; self.tpotMs = tpotMs
        self.outputTokensPerSecond = outputTokensPerSecond; self.wallSeconds = wallSeconds; self.jobSeconds = jobSeconds
        self.notes = notes
    }
}

/// Runs one emulation (the CLI launches `mpirun` with this binary); the library stays free of MPI.
public typealias EmulatorRunner = (EmulationLaunch) throws -> EmulatedFigures

extension Experiment {
    static let emulateColumns = ["plan", "variant", "model", "cluster", "strategy", "batch", "ranks", "load", "decodeSteps",
                                 "messages", "metric", "unit", "emulated", "predicted", "diffPercent", "note"]

    /// Plans each plan, writes it to `plansFolder`, emulates it per variant; one row per metric.
    /// Only virtual figures enter the rows; wall times go to `progress` (timings.txt).
    static func emulate(_ s: EmulateStep, plansFolder: String, runner: EmulatorRunner?,
                        progress: (String, Double) -> Void) throws -> ExperimentTable {
        guard let runner else {
            throw CapacityError(file: s.table, keyPath: "", message: "an emulate step needs mpirun and the tessera binary (run it with `tessera experiment run`)")
        }
        try FileManager.default.createDirectory(atPath: plansFolder, withIntermediateDirectories: true)
        var rows: [[String]] = [], inputs: [String] = []
        for p in s.plans {
            inputs += [p.model, p.cluster, p.scenario]
            let (plan, metrics, modelName, clusterName) = try makePlan(p)
            let path = URL(fileURLWithPath: plansFolder).appendingPathComponent("\(p.name).json").path
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(plan).write(to: URL(fileURLWithPath: path), options: .atomic)
            var arguments = ["emulate", path, "--stats", "--seed", "\(s.seed)", "--watchdog-seconds", "\(s.timeoutSeconds)"]
            if let steps = s.decodeSteps { arguments += ["--steps", "\(steps)"] }
            if let n = s.requests, let rate = s.ratePerS { arguments += ["--requests", "\(n)", "--rate", "\(rate)"] }
            let load = s.requests.map { "\($0) requests at \(s.ratePerS ?? 0)/s" } ?? "static batch \(p.batch)"
            let ranks = plan.chiplets.count + (plan.disaggregation?.prefill.plan.chiplets.count ?? 0)
            let strategy = p.prefill.map { "prefill \($0) | decode \(p.strategy)" } ?? p.strategy.description
            for v in s.variants where v.maxRanks.map({ ranks <= $0 }) ?? true {
                let got = try runner(EmulationLaunch(ranks: ranks, arguments: arguments + v.arguments,
                                                     timeoutSeconds: s.timeoutSeconds))
                progress("\(s.table)/\(p.name)/\(v.name) \(got.ranks) ranks: emulation wall", got.wallSeconds)
                progress("\(s.table)/\(p.name)/\(v.name) \(got.ranks) ranks: mpirun job", got.jobSeconds)
                let prefix = [p.name, v.name, modelName, clusterName, strategy, "\(p.batch)", "\(got.ranks)", load,
                              s.decodeSteps.map(String.init) ?? "", "\(got.messages)"]
                // A stream's tokens/s is its arrival rate, not a figure of the plan: streams compare
                // per-request TTFT and TPOT (p50) only.
                let throughput = s.requests == nil
                    ? [("tokens/s", "tokens/s", got.outputTokensPerSecond, metrics.outputTokensPerSecond)] : []
                for (metric, unit, emulated, predicted) in [("TTFT", "ms", got.ttftMs, plan.predicted.ttftMs),
                                                            ("TPOT", "ms", got.tpotMs, plan.predicted.tpotMs)] + throughput {
                    let note = got.notes.first { $0.hasPrefix(metric + " ") } ?? ""
                    rows.append(prefix + [metric, unit, "\(emulated)", "\(predicted)", "\((emulated / predicted - 1) * 100)", note])
                }
            }
        }
        return ExperimentTable(
            name: s.table, title: "Emulated against predicted: TTFT, TPOT and tokens/s per plan (virtual time)",
            columns: emulateColumns, rows: rows,
            plot: TablePlot(x: "predicted", y: "emulated", series: "metric", label: "plan",
                            xLabel: "predicted (ms for TTFT and TPOT, tokens/s)", yLabel: "emulated (same unit, virtual time)",
                            logX: true, logY: true, diagonal: true),
            inputs: inputs)
    }

    /// The plan of one fixed strategy and batch, with the planner's prediction for it.
    static func makePlan(_ p: EmulatePlan) throws -> (Plan, Metrics, String, String) {
        let model: ModelGraph, base: ClusterSpec
        var scenario: Scenario
        do {
            model = try ModelGraph.load(path: p.model); scenario = try Scenario.load(path: p.scenario)
            base = try ClusterSpec.load(path: p.cluster)
        } catch { throw CapacityError(file: p.name, keyPath: "", message: "\(error)") }
        if let precision = p.precision { scenario.precision = precision }
        if let n = p.inputTokens { scenario.inputTokens = n }
        if let n = p.outputTokens { scenario.outputTokens = n }
        scenario.mode = .static
        scenario.batch = p.batch
        let cluster: ClusterSpec, evaluator: Evaluator
        do {
            cluster = p.levels.isEmpty ? base : try base.scaled(levelCounts: p.levels)
            evaluator = try Evaluator(PlanInputs(modelName: model.name, model: model, cluster: cluster, scenario: scenario))
        } catch { throw CapacityError(file: p.name, keyPath: "", message: "\(error)") }
        if let prefill = p.prefill {
            let (made, reason) = evaluator.disaggregatedPlan(prefill: Candidate(strategy: prefill, batch: 1),
                                                             decode: Candidate(strategy: p.strategy, batch: p.batch))
            guard let plan = made else { throw CapacityError(file: p.name, keyPath: "prefill", message: reason ?? "infeasible") }
            return (plan, plan.predicted, model.name, cluster.name)
        }
        let e = evaluator.evaluate(Candidate(strategy: p.strategy, batch: p.batch))
        guard let metrics = e.metrics, let plan = evaluator.plan(e) else {
            throw CapacityError(file: p.name, keyPath: "", message: "the plan is infeasible: \(e.reason ?? "no metrics")")
        }
        return (plan, metrics, model.name, cluster.name)
    }
}
