import ArgumentParser
import Foundation
import ModelGraph
import Planner
import Runtime

/// `tessera plan --formats` and `--precision auto`: numeric formats per layer class.
extension PlanCommand {
    /// Weights of numeric mode come from seed 1 (`tessera emulate`'s default), so calibration uses it.
    static let calibrationSeed: UInt64 = 1

    /// Parses `--formats` and calibrates the static scales it needs on the plan's own model (a
    /// model numeric mode cannot run gets none: its formats only price the plan).
    func calibratedFormats(spec: String, model: ModelGraph) throws -> Quantisation {
        var q: Quantisation
        do { q = try Quantisation(spec: spec) } catch { throw fail(error) }
        guard q.needsCalibration, Reference.unsupported(model.config) == nil else { return q }
        q.calibration = ScaleCalibration.calibrate(config: model.config, weightSeed: Self.calibrationSeed)
        return q
    }

    /// Chooses formats per layer class on the strategy given (or the search's best), prints each
    /// class alone and the frontier, and writes the plan in the chosen formats.
    func runAuto(_ evaluator: Evaluator) throws {
        let base = evaluator.inputs
        let strategy: Strategy, batch: Int?
        if evaluatesOne {
            strategy = Strategy(tp: tp ?? 1, pp: pp ?? 1, dp: dp ?? 1, ep: ep ?? 1, order: try parsedOrder())
            batch = inputs.batch ?? base.scenario.batch
        } else {
            var options = SearchOptions()
            options.objective = objective
            options.maxBatch = maxBatch
            guard let best = evaluator.search(options).ranked.first(where: { $0.disaggregation == nil }) else {
                print("no feasible plan at \(base.precision.weights.rawValue) weights to choose formats for")
                throw ExitCode(2)
            }
            strategy = best.candidate.strategy
            batch = best.candidate.batch
        }
        let accuracy = try accuracyConfig(base.model)
        func evaluate(_ q: Quantisation) -> (Evaluator, Evaluation)? {
            var i = base
            i.scenario.precision = q.precision
            guard let ev = try? Evaluator(i) else { return nil }
            let e = ev.evaluateLargestBatch(strategy, batch: batch, maxBatch: maxBatch)
            return e.feasible ? (ev, e) : nil
        }
        let activations = NumericFormat.standing(for: base.precision.activations)
        let budget = maxLogitError ?? 0
        let selection = PrecisionSelection.select(
            config: accuracy.config, seed: Self.calibrationSeed, activations: activations, maxLogitError: budget,
            tokens: LogitAccuracy.tokenSet(config: accuracy.config)) { evaluate($0)?.1.metrics?.outputTokensPerSecond }
        print(PrecisionText.report(selection, strategy: strategy, model: accuracy.name, budget: budget))
        guard var chosen = selection.chosen?.quantisation, let (ev, e) = evaluate(chosen) else { throw ExitCode(2) }
        // Scales belong to the plan's own model; a large model cannot run numerically, so has none.
        if !chosen.needsCalibration || accuracy.name != base.modelName { chosen.calibration = nil }
        try emit(plan: e, evaluator: ev, quantisation: chosen)
        print("")
        print(PlanText.one(e, ev.inputs, plan: ev.plan(e), mapping: ev.mappingText(strategy)))
    }

    /// The model accuracy is measured on: --accuracy-model, else the plan's model if numeric mode runs it.
    private func accuracyConfig(_ model: ModelGraph) throws -> (name: String, config: ModelConfig) {
        if let path = accuracyModel {
            let graph: ModelGraph
            do { graph = try loadModel(path: path) } catch { throw fail(error) }
            if let reason = Reference.unsupported(graph.config) { throw fail("--accuracy-model \(path): \(reason)") }
            return (graph.name, graph.config)
        }
        if let reason = Reference.unsupported(model.config) {
            throw fail("--precision auto measures accuracy in numeric mode, and \(reason); pass --accuracy-model "
                + "Workloads/tiny-llama.json (or tiny-moe.json for an MoE model)")
        }
        return (model.name, model.config)
    }
}
