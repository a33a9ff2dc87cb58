import ArgumentParser
import Foundation
import ModelGraph

/// `tessera model <workload.json | model.onnx>`: parameters, bytes, FLOPs, KV cache and the per-layer op table.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Describe a workload: parameters, bytes per dtype, FLOPs and KV bytes per token, and its ops."
    )

    @Argument(help: "A Hugging Face config.json-shaped workload file, e.g. Workloads/llama-3-8b.json, or an ONNX decoder (model.onnx; weights may stay in external data, only shapes are read).")
    var workload: String?

    @Flag(help: "List the model_types Tessera reads: family, block structure, keys read; and those it refuses, with why.")
    var listArchitectures = false

    @Flag(help: "Print JSON (keys parameters.total, parameters.active, bytes, flopsPerToken, kvBytesPerToken, layers).")
    var json = false

    @Option(help: "Dtypes: one for all (bf16) or weights=DTYPE,activations=DTYPE,kvCache=DTYPE. Default: weights as the file declares them (quantization_config, torch_dtype), the rest bf16.")
    var precision: String?

    @Option(help: "Context length for the prefill and decode FLOPs figures.")
    var context = 4096

    func validate() throws {
        guard context > 0 else { throw ValidationError("--context must be positive, got \(context)") }
        guard listArchitectures || workload != nil else { throw ValidationError("give a workload file, or --list-architectures") }
        if let precision {
            do { _ = try Precision(spec: precision) } catch { throw ValidationError(error.description) }
        }
    }

    func run() throws {
        guard let workload, !listArchitectures else {
            print(ArchitectureList.text)
            return
        }
        let graph: ModelGraph
        let chosen: Precision
        do {
            graph = try loadModel(path: workload)
            chosen = try precision.map { spec throws(PrecisionSpecError) in try Precision(spec: spec) } ?? graph.config.defaultPrecision
        } catch { throw fail(error) }
        let report = ModelReport(graph: graph, file: workload, precision: chosen, context: context)
        if json {
            print(String(decoding: try prettyJSON(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
