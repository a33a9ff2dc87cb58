import Foundation
import ModelGraph
import Runtime

/// The shipped tiny workloads, loaded from this source file's repository.
enum NumericFixtures {
    static let workloads = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Workloads")

    static func config(_ name: String) throws -> ModelConfig {
        try ModelGraph.load(path: workloads.appendingPathComponent(name).path).config
    }

    static func llama() throws -> ModelConfig { try config("tiny-llama.json") }
    static func moe() throws -> ModelConfig { try config("tiny-moe.json") }

    /// A workload's config, its weights and a prompt, all from one seed.
    static func model(_ workload: String, seed: UInt64, batch: Int, length: Int) throws
        -> (config: ModelConfig, weights: TinyWeights, prompt: [[Int]]) {
        let config = try config(workload)
        return (config, TinyWeights(config: config, seed: seed),
                Reference.prompt(config: config, batch: batch, length: length, seed: seed))
    }

    /// Largest |a − b| / max(|b|) over all elements: error relative to the reference's scale.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "relativeError: \(a.count) ≠ \(b.count)")
        let scale = b.reduce(0.0) { max($0, Double(abs($1))) }
        let difference = zip(a, b).reduce(0.0) { max($0, Double(abs($1.0 - $1.1))) }
        return difference / max(scale, .leastNormalMagnitude)
    }
}
