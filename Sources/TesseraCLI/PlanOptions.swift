import ArgumentParser
import ClusterSpec
import Foundation
import ModelGraph
import Planner

/// The inputs every planning command shares: model, cluster, scenario and overrides of it.
struct PlanInputOptions: ParsableArguments {
    @Option(name: .long, help: "Workload: a Hugging Face config.json-shaped file, e.g. Workloads/llama-3-70b.json, or an ONNX decoder (model.onnx).")
    var model: String

    @Option(name: .long, help: "Cluster: a YAML hierarchy, e.g. Clusters/gb200-nvl72.yaml.")
    var cluster: String

    @Option(name: .long, help: "Scenario file (Workloads/scenarios/*.json); flags below override it. Default: 1024 → 256 tokens, continuous, bf16.")
    var scenario: String?

    @Option(name: .long, help: "Prompt tokens per request.")
    var inputTokens: Int?
    @Option(name: .long, help: "Generated tokens per request.")
    var outputTokens: Int?
    @Option(name: .long, help: "Sequences in flight per replica (default: searched).")
    var batch: Int?
    @Option(name: .long, help: "Batching: static (all requests start together) or continuous (steady state).")
    var mode: BatchingMode?
    @Option(name: .long, help: "Dtypes as for `tessera model`: one for all (bf16) or weights=DTYPE,activations=DTYPE,kvCache=DTYPE; --weights, --activations and --kv-cache override its parts. Default: the scenario's, or weights as the model file declares them. `tessera plan --precision auto --max-logit-error E` chooses formats per layer class.")
    var precision: String?
    @Option(name: .long, help: "Weight dtype: \(DType.allCases.map(\.rawValue).joined(separator: ", ")).")
    var weights: DType?
    @Option(name: .long, help: "Activation dtype.")
    var activations: DType?
    @Option(name: .customLong("kv-cache"), help: "KV-cache dtype.")
    var kvCache: DType?
    @Option(name: .long, help: "Serving-stack profile: a name in Clusters/software/ (trtllm-1.0, trtllm-0.5, cerebras-cloud: the hosted service, with its front end in TTFT) or a YAML file. Default: the cluster's `software:`.")
    var software: String?

    @Flag(name: .customLong("allow-uneven-kv-heads"), help: "Also offer TP sizes that neither divide the KV heads nor are a multiple of them (serving engines cannot run them).")
    var allowUnevenKVHeads = false

    @Option(name: .customLong("max-ttft-ms"), help: "Time-to-first-token limit in ms.")
    var maxTTFTMs: Double?
    @Option(name: .customLong("max-tpot-ms"), help: "Time-per-output-token limit in ms.")
    var maxTPOTMs: Double?

    func validate() throws {
        for (flag, value) in [("--input-tokens", inputTokens), ("--output-tokens", outputTokens), ("--batch", batch)] {
            if let v = value, v < 1 { throw ValidationError("\(flag) must be at least 1, got \(v)") }
        }
        for (flag, value) in [("--max-ttft-ms", maxTTFTMs), ("--max-tpot-ms", maxTPOTMs)] {
            if let v = value, !(v > 0) { throw ValidationError("\(flag) must be a positive number of ms, got \(v)") }
            try checkFlag(flag, value, atMost: 3.6e9, unit: "ms", why: "1,000 hours; beyond it no SLO binds")
        }
        if let precision, precision != "auto" {
            do { _ = try Precision(spec: precision) } catch {
                throw ValidationError("--precision: \(error.description)")
            }
        }
    }

    /// Loads the files and applies the overrides; errors name the file and key.
    func load() throws -> PlanInputs {
        let graph = try loadModel(path: model)
        let spec = try ClusterSpec.load(path: cluster)
        var sc = try scenario.map { try Scenario.load(path: $0) }
            ?? Scenario(inputTokens: 1024, outputTokens: 256, mode: .continuous)
        if let v = inputTokens { sc.inputTokens = v }
        if let v = outputTokens { sc.outputTokens = v }
        if let v = batch { sc.batch = v }
        if let v = mode { sc.mode = v }
        // Without a scenario file the model file's own weight dtype is the default (FP8 DeepSeek-V3).
        if scenario == nil { sc.precision = graph.config.defaultPrecision }
        // `auto` keeps the default here: `tessera plan` chooses formats per layer class from it.
        if let spec = precision, spec != "auto" { sc.precision = try Precision(spec: spec) }
        if let v = weights { sc.precision.weights = v }
        if let v = activations { sc.precision.activations = v }
        if let v = kvCache { sc.precision.kvCache = v }
        if let v = maxTTFTMs { sc.maxTTFTMs = v }
        if let v = maxTPOTMs { sc.maxTPOTMs = v }
        var inputs = PlanInputs(modelName: graph.name, model: graph, cluster: spec, scenario: sc,
                                software: try software.map { try SoftwareProfile.resolve($0, relativeTo: cluster) })
        inputs.allowUnevenKVHeads = allowUnevenKVHeads
        return inputs
    }
}

extension BatchingMode: ExpressibleByArgument {}
extension DType: ExpressibleByArgument {}
