import ArgumentParser
import ClusterSpec
import Foundation
import ModelGraph
import Planner

/// `tessera plan`: evaluate one strategy, or search them all.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Choose how to split a model over a cluster, or evaluate one split.",
        discussion: """
        Without strategy flags, searches every legal TP × PP × EP × DP split, mapping order and \
        batch, prunes by memory, and ranks what meets the SLOs by the objective. With any of \
        --tp/--pp/--dp/--ep, evaluates exactly that strategy (unset ones are 1); with no --batch it \
        takes the largest batch that fits and meets the SLOs.

        Examples:
          tessera plan --model Workloads/llama-3-70b.json \\
            --cluster Clusters/gb200-nvl72.yaml --explain
          tessera plan --model Workloads/llama-3-70b.json \\
            --cluster Clusters/dgx-h100.yaml --tp 1 --batch 64
          tessera plan --model Workloads/tiny-llama.json \\
            --cluster Clusters/dgx-a100.yaml --tp 2 --pp 2 -o plan.json

        Numeric formats (what `tessera emulate --numeric` runs; the dtypes follow them):
          tessera plan --model Workloads/tiny-llama.json --cluster Clusters/dgx-a100.yaml \\
            --scenario Workloads/scenarios/tiny-test.json --tp 2 --pp 2 \\
            --formats weights=int8-channel,kv=fp8-e4m3 -o plan.json

        Disaggregated prefill and decode (one replica of each pool side by side, prefill first; \
        the decode pool is --tp/--pp, the prefill pool --prefill-tp/--prefill-pp, batch 1; \
        `tessera emulate --requests` then hands each prompt's K/V from one to the other):
          tessera plan --model Workloads/llama-3-8b.json --cluster Clusters/dgx-h100.yaml \
            --input-tokens 1024 --output-tokens 64 --mode static \
            --tp 2 --batch 1 --prefill-tp 2 -o disaggregated.json
          mpirun -launcher fork -n 4 tessera emulate disaggregated.json --requests 4 --rate 0.01
        Formats: \(NumericFormat.names). `--formats F` puts attention and MLP \
        weights, activations and K/V in F; integer and FP8 activations or K/V get static scales \
        calibrated on the FP32 model (stored in the plan).

        Precision selection: a format per layer class (attention weights, MLP weights, KV cache) \
        that keeps the max relative logit error against FP32 within E on a tiny model in numeric \
        mode, and is the fastest the planner predicts; prints each class alone and the \
        speed/accuracy frontier:
          tessera plan --model Workloads/tiny-llama.json --cluster Clusters/dgx-a100.yaml \\
            --scenario Workloads/scenarios/tiny-test.json --tp 2 --pp 2 \\
            --precision auto --max-logit-error 0.02 -o plan.json
          tessera plan --model Workloads/llama-3-70b.json --cluster Clusters/dgx-h100.yaml \\
            --tp 4 --precision auto --max-logit-error 0.05 --accuracy-model Workloads/tiny-llama.json
        """)

    @OptionGroup var inputs: PlanInputOptions

    @Option(help: "Tensor-parallel size.") var tp: Int?
    @Option(help: "Pipeline stages.") var pp: Int?
    @Option(help: "Data-parallel replicas.") var dp: Int?
    @Option(help: "Expert-parallel size (MoE models).") var ep: Int?
    @Option(name: .customLong("prefill-tp"), help: "Disaggregate: a prefill pool of this tensor-parallel size beside the decode pool (--tp/--pp).")
    var prefillTP: Int?
    @Option(name: .customLong("prefill-pp"), help: "Disaggregate: the prefill pool's pipeline stages (default 1).")
    var prefillPP: Int?
    @Option(help: "Mapping order, innermost first, e.g. tp,ep,dp,pp (Megatron's, the default).")
    var order: String?

    @Option(help: "What to maximise: \(Objective.allCases.map(\.rawValue).joined(separator: ", ")).")
    var objective: Objective = .throughputPerChip
    @Option(help: "How many of the best candidates to list.") var top = 5
    @Option(help: "Largest batch the search tries (powers of two up to it). Default: 1024, and under continuous batching also full load (the running batch the software profile's caps and the K/V cache allow).")
    var maxBatch: Int?
    @Option(name: .customLong("max-candidates"),
            help: "Refuse a search that could price more candidates than this (counted before it starts; default \(Evaluator.defaultMaxCandidates)).")
    var maxCandidates = Evaluator.defaultMaxCandidates
    @Flag(help: "Say why the winner won and why the runners-up lost.") var explain = false
    @Flag(help: "Print one JSON object instead of tables.") var json = false
    @Option(name: .shortAndLong, help: "Write the chosen plan (the emulator's input) to this file.")
    var output: String?

    @Option(help: "Numeric formats: one for all, or attention=F,mlp=F,activations=F,kv=F (weights=F for both weight classes; unnamed parts fp32). Sets the dtypes too.")
    var formats: String?
    @Option(name: .customLong("max-logit-error"), help: "With --precision auto: the largest max relative logit error against FP32 allowed (e.g. 0.02).")
    var maxLogitError: Double?
    @Option(name: .customLong("accuracy-model"), help: "With --precision auto: the tiny workload accuracy is measured on (default: --model, when numeric mode can run it).")
    var accuracyModel: String?

    var auto: Bool { inputs.precision == "auto" }

    var evaluatesOne: Bool { tp != nil || pp != nil || dp != nil || ep != nil || order != nil }
    var disaggregates: Bool { prefillTP != nil || prefillPP != nil }

    func validate() throws {
        for (flag, v) in [("--tp", tp), ("--pp", pp), ("--dp", dp), ("--ep", ep), ("--prefill-tp", prefillTP), ("--prefill-pp", prefillPP)] {
            if let v, v < 1 { throw ValidationError("\(flag) must be at least 1, got \(v)") }
        }
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if let maxBatch, maxBatch < 1 { throw ValidationError("--max-batch must be at least 1, got \(maxBatch)") }
        if maxCandidates < 1 { throw ValidationError("--max-candidates: expected at least 1, got \(maxCandidates)") }
        _ = try parsedOrder()
        if let formats {
            do { _ = try Quantisation(spec: formats) } catch { throw ValidationError("--formats: \(error.description)") }
            if inputs.precision != nil || inputs.weights != nil || inputs.activations != nil || inputs.kvCache != nil {
                throw ValidationError("--formats sets the dtypes itself; drop --precision, --weights, --activations and --kv-cache")
            }
        }
        if auto {
            guard let e = maxLogitError else {
                throw ValidationError("--precision auto needs --max-logit-error E, the largest max relative logit error allowed (e.g. 0.02)")
            }
            guard e > 0 && e <= 100 else { throw ValidationError("--max-logit-error must be from 0 (exclusive) to 100, got \(e)") }
        } else if maxLogitError != nil || accuracyModel != nil {
            throw ValidationError("--max-logit-error and --accuracy-model go with --precision auto")
        }
    }

    func parsedOrder() throws -> [ParallelDim] {
        guard let order else { return Strategy.megatronOrder }
        let dims = order.split(separator: ",").map { ParallelDim(rawValue: String($0).trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 4, !dims.contains(nil), Set(dims.compactMap { $0 }).count == 4 else {
            throw ValidationError("--order must name tp, ep, dp and pp once each, innermost first (got \"\(order)\")")
        }
        return dims.compactMap { $0 }
    }

    func run() throws {
        var planInputs: PlanInputs
        do { planInputs = try inputs.load() } catch { throw fail(error) }
        let quantisation = try formats.map { try calibratedFormats(spec: $0, model: planInputs.model) }
        if let q = quantisation { planInputs.scenario.precision = q.precision }
        let evaluator = try makeEvaluator(planInputs)
        if auto { return try runAuto(evaluator) }
        if disaggregates { return try runDisaggregated(evaluator, quantisation: quantisation) }
        if evaluatesOne {
            let strategy = Strategy(tp: tp ?? 1, pp: pp ?? 1, dp: dp ?? 1, ep: ep ?? 1, order: try parsedOrder())
            let e = evaluator.evaluateLargestBatch(strategy, batch: inputs.batch ?? evaluator.inputs.scenario.batch,
                                                   maxBatch: maxBatch)
            try emit(plan: e, evaluator: evaluator, quantisation: quantisation)
            if json { print(String(decoding: try prettyJSON(EvaluationReport(e)), as: UTF8.self)) }
            else {
                print(PlanText.one(e, evaluator.inputs, plan: evaluator.plan(e),
                                   mapping: evaluator.mappingText(e.candidate.strategy)))
            }
            if !e.feasible { throw ExitCode(2) }
            return
        }
        var options = SearchOptions()
        options.objective = objective
        options.top = top
        options.maxBatch = maxBatch
        let size = evaluator.searchSize(options)
        guard size <= maxCandidates else {
            throw fail("\(inputs.cluster): a search of \(evaluator.inputs.modelName) on \(evaluator.hierarchy.totalChiplets) chiplets could price "
                + "\(size) candidates, over the limit of \(maxCandidates); raise it with --max-candidates, or fix --tp/--pp/--batch")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = evaluator.search(options)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // The emulator runs one pool, so a disaggregated winner is written as the best colocated plan.
        if let best = result.ranked.first(where: { $0.disaggregation == nil }) {
            try emit(plan: best, evaluator: evaluator, quantisation: quantisation)
        }
        if json {
            print(String(decoding: try prettyJSON(SearchReport(result, seconds: seconds)), as: UTF8.self))
        } else {
            print(PlanText.search(result, seconds: seconds, inputs: evaluator.inputs, explain: explain))
        }
        if result.ranked.isEmpty { throw ExitCode(2) }
    }

    /// One prefill replica (--prefill-tp/--prefill-pp, batch 1) beside one decode replica.
    func runDisaggregated(_ evaluator: Evaluator, quantisation: Quantisation?) throws {
        let decode = Candidate(strategy: Strategy(tp: tp ?? 1, pp: pp ?? 1, dp: dp ?? 1, ep: ep ?? 1, order: try parsedOrder()),
                               batch: inputs.batch ?? evaluator.inputs.scenario.batch ?? 1)
        let prefill = Candidate(strategy: Strategy(tp: prefillTP ?? 1, pp: prefillPP ?? 1, dp: 1, ep: 1), batch: 1)
        let (made, reason) = evaluator.disaggregatedPlan(prefill: prefill, decode: decode)
        guard var plan = made, let pools = plan.disaggregation else {
            print("infeasible: \(reason ?? "no plan")")
            throw ExitCode(2)
        }
        plan.quantisation = quantisation
        print(String(format: "disaggregated: prefill %@ (%d chiplets) | decode %@ (%d chiplets, batch %d), decode from chiplet %d",
                     "\(pools.prefill.plan.strategy)", pools.prefill.plan.chiplets.count, "\(plan.strategy)", plan.chiplets.count,
                     plan.batch, pools.decodeFirstChiplet))
        print(String(format: "predicted TTFT %.4g ms (prefill %.4g ms + K/V transfer %.4g ms), TPOT %.4g ms",
                     plan.predicted.ttftMs, pools.prefill.plan.predicted.ttftMs, pools.predictedKVTransferMs, plan.predicted.tpotMs))
        guard let path = output else { return }
        do { try writeAtomically(try prettyJSON(plan), to: path) } catch { throw fail(error) }
        FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
    }

    func makeEvaluator(_ planInputs: PlanInputs) throws -> Evaluator {
        do { return try Evaluator(planInputs) } catch let error as PlanError {
            guard case let .unsupportedDType(_, dtype, _, _, _) = error else { throw fail(error) }
            let others = clusters(near: inputs.cluster, having: dtype)
            throw fail("\(error)" + (others.isEmpty ? "" : " (here: \(others.joined(separator: ", ")))"))
        } catch { throw fail(error) }
    }

    func emit(plan e: Evaluation, evaluator: Evaluator, quantisation: Quantisation?) throws {
        guard let path = output, var plan = evaluator.plan(e) else { return }
        plan.quantisation = quantisation
        do { try writeAtomically(try prettyJSON(plan), to: path) } catch { throw fail(error) }
        if !json { FileHandle.standardError.write(Data("wrote \(path)\n".utf8)) }
    }
}

extension Objective: ExpressibleByArgument {}

/// The cluster files beside `path` whose chip has `dtype`, for the unsupported-dtype advice.
func clusters(near path: String, having dtype: String) -> [String] {
    let dir = (path as NSString).deletingLastPathComponent
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
    return files.filter { $0.hasSuffix(".yaml") }.sorted().filter {
        let spec = try? ClusterSpec.load(path: (dir as NSString).appendingPathComponent($0))
        return spec?.chiplet.compute.tflops[dtype] != nil
    }.map { (dir as NSString).appendingPathComponent($0) }
}
