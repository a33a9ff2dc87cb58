import Foundation
@testable import ModelGraph

/// Paths of the shipped Workloads/ files, found from this source file.
enum Fixtures {
    static let workloads = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Workloads")

    static func workload(_ name: String) -> String { workloads.appendingPathComponent(name).path }
    static func scenario(_ name: String) -> String { workloads.appendingPathComponent("scenarios/\(name)").path }

    static func graph(_ name: String) throws -> ModelGraph { try ModelGraph.load(path: workload(name)) }

    /// Class-default configs of each family and their `transformers` parameter counts, written
    /// by scripts/architecture-references.py.
    static let architectures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/architectures")

    static func architecture(_ modelType: String) -> String { architectures.appendingPathComponent("\(modelType).json").path }

    /// Writes `text` to a fresh temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String = "config.json") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A minimal valid Llama-style config with `overrides` applied (nil removes a key).
    static func llamaConfigText(_ overrides: [String: String?] = [:]) -> String {
        var keys: [String: String] = [
            "model_type": "\"llama\"", "hidden_act": "\"silu\"", "hidden_size": "64", "intermediate_size": "128",
            "num_hidden_layers": "2", "num_attention_heads": "8", "num_key_value_heads": "2", "vocab_size": "100",
        ]
        for (key, value) in overrides { keys[key] = value }
        return "{" + keys.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }
}
