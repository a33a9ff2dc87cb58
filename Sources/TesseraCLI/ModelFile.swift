import Foundation
import ModelGraph
import ONNXImport

/// A workload file: an ONNX graph (`.onnx`, read by ONNXImport) or a config.json-shaped file.
/// What an ONNX import had to assume goes to stderr as `note:` lines.
func loadModel(path: String) throws -> ModelGraph {
    guard path.lowercased().hasSuffix(".onnx") else { return try ModelGraph.load(path: path) }
    let result = try ONNXImport.load(path: path)
    for note in result.notes { FileHandle.standardError.write(Data("note: \(path): \(note)\n".utf8)) }
    return result.graph
}
