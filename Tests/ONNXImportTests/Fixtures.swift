import Foundation

/// Paths to the repository's data files and this target's ONNX fixtures
/// (written by scripts/make-onnx-fixtures.py).
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func workload(_ name: String) -> String { root.appendingPathComponent("Workloads/\(name).json").path }
    static func cluster(_ name: String) -> String { root.appendingPathComponent("Clusters/\(name).yaml").path }
    static func onnx(_ name: String) -> String {
        root.appendingPathComponent("Tests/ONNXImportTests/Fixtures/\(name).onnx").path
    }
}
