import Foundation
import ModelGraph
import SwiftProtobuf

/// What an ONNX file imports as: the config the `config.json` path would give, its graph, and
/// notes on what was assumed.
public struct ONNXImportResult: Sendable {
    public let config: ModelConfig
    public let graph: ModelGraph
    /// Facts the graph does not say and the import assumed (one line each).
    public let notes: [String]
}

/// Reads an ONNX decoder (`tessera model model.onnx`) into the same `ModelConfig` and graph IR as
/// a `config.json`. Only the protobuf is read: weights may sit in external data files, which are
/// never opened, since the IR needs shapes, not values.
public enum ONNXImport {
    /// Protobuf's own ceiling for one message (2 GiB − 1); larger models keep weights external.
    public static let maxFileBytes = Int(Int32.max)

    public static func load(path: String) throws(ONNXImportError) -> ONNXImportResult {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try load(data: try read(path: path), file: path, name: name)
    }

    /// Decodes `data` (the bytes of `file`) and recognises the decoder in it.
    public static func load(data: Data, file: String, name: String) throws(ONNXImportError) -> ONNXImportResult {
        guard data.count <= maxFileBytes else { throw .tooLarge(file: file, bytes: data.count, limitBytes: maxFileBytes) }
        let model: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: data, options: options)
        } catch {
            throw .invalidProtobuf(file: file, reason: "\(error)")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else {
            throw .invalidProtobuf(file: file, reason: "no graph nodes (truncated, or not an ONNX ModelProto)")
        }
        let index = GraphIndex(model.graph)
        let unsupported = OperatorSupport.unsupported(in: index)
        guard unsupported.isEmpty else { throw .unsupportedOperators(file: file, operators: unsupported) }
        var recogniser = Recogniser(index: index, file: file)
        var config = try recogniser.config()
        if let type = model.metadataProps.first(where: { $0.key == "model_type" })?.value, !type.isEmpty {
            config.modelType = type
        }
        return ONNXImportResult(config: config, graph: ModelGraph(config: config, name: name), notes: recogniser.notes)
    }

    private static func read(path: String) throws(ONNXImportError) -> Data {
        let url = URL(fileURLWithPath: path)
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw .unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file")
        }
        guard size <= maxFileBytes else { throw .tooLarge(file: path, bytes: size, limitBytes: maxFileBytes) }
        do { return try Data(contentsOf: url) } catch { throw .unreadable(file: path, reason: error.localizedDescription) }
    }
}
