import Foundation
import Testing

@testable import ONNXImport

/// Graphs edited in code from micro-dense.onnx: weights with no role, custom domains, hostile shapes.
@Suite struct StructureTests {
    func micro() throws -> Onnx_ModelProto {
        try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: Repo.onnx("micro-dense"))))
    }

    func load(_ model: Onnx_ModelProto) throws -> ONNXImportResult {
        try ONNXImport.load(data: try model.serializedBytes(), file: "edited.onnx", name: "edited")
    }

    func tensor(_ name: String, _ dims: [Int64]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims
        t.dataType = 1
        t.dataLocation = .external
        return t
    }

    @Test func theEditedCopyStillImports() throws {
        #expect(try load(try micro()).config.hiddenSize == 32)
    }

    /// A weight the IR would not count is an error, never a silently smaller model.
    @Test func aWeightWithNoRoleIsNamed() throws {
        var model = try micro()
        model.graph.initializer.append(tensor("extra.weight", [32, 32]))
        #expect(throws: ONNXImportError.unrecognisedStructure(
            file: "edited.onnx", reason: "1 weight(s) with no recognised role: extra.weight [32, 32]")) { try load(model) }
    }

    @Test func customDomainOperatorsAreUnsupported() throws {
        var model = try micro()
        var node = Onnx_NodeProto()
        node.opType = "FancyNorm"
        node.domain = "com.example"
        node.name = "fancy"
        node.input = ["input_ids"]
        node.output = ["fancy_out"]
        model.graph.node.append(node)
        #expect(throws: ONNXImportError.unsupportedOperators(
            file: "edited.onnx", operators: [UnsupportedOperator(op: "com.example:FancyNorm", count: 1, nodes: ["fancy"])])) {
            try load(model)
        }
    }

    @Test func noAttentionIsNamed() throws {
        var model = try micro()
        model.graph.node.removeAll { $0.opType == "Softmax" }
        #expect(throws: ONNXImportError.self) { try load(model) }
        do { _ = try load(model) } catch { #expect("\(error)".hasPrefix("edited.onnx: not recognised as a decoder-only transformer: no attention found")) }
    }

    /// Shapes near Int64.max and huge head attributes: an error, not an overflow trap.
    @Test func hostileShapesAreErrors() throws {
        var model = try micro()
        for i in model.graph.initializer.indices where model.graph.initializer[i].name.hasSuffix("q_proj.weight") {
            model.graph.initializer[i].dims = [Int64.max / 2, 3]
        }
        #expect(throws: ONNXImportError.self) { try load(model) }
        var huge = try micro()
        for i in huge.graph.initializer.indices where huge.graph.initializer[i].name.hasSuffix("shape") {
            huge.graph.initializer[i].int64Data = [0, 0, Int64.max, Int64.max]
            huge.graph.initializer[i].clearRawData()
        }
        #expect(throws: ONNXImportError.self) { try load(huge) }
    }
}
