import Foundation
import ONNXImport
import Testing

/// Unsupported operators, broken files and unrecognised graphs: one clear error naming the file.
@Suite struct ErrorTests {
    @Test func unsupportedOperatorsAreNamedWithCountsAndNodes() throws {
        let path = Repo.onnx("micro-unsupported")
        #expect(throws: ONNXImportError.unsupportedOperators(file: path, operators: [
            UnsupportedOperator(op: "Einsum", count: 2,
                                nodes: ["/model/layers.0/self_attn/Einsum", "/model/layers.1/self_attn/Einsum"]),
            UnsupportedOperator(op: "Hardmax", count: 1, nodes: ["/model/Hardmax"]),
        ])) { try ONNXImport.load(path: path) }
        do {
            _ = try ONNXImport.load(path: path)
        } catch {
            #expect(error.description == "\(path): unsupported ONNX operators: Einsum × 2 (/model/layers.0/self_attn/Einsum, /model/layers.1/self_attn/Einsum); Hardmax × 1 (/model/Hardmax)")
        }
    }

    @Test func truncatedFileIsACleanError() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repo.onnx("tiny-llama")))
        for length in [data.count / 2, 100, 7, 1] {
            #expect(throws: ONNXImportError.self) {
                try ONNXImport.load(data: data.prefix(length), file: "cut.onnx", name: "cut")
            }
        }
        do {
            _ = try ONNXImport.load(data: data.prefix(data.count / 2), file: "cut.onnx", name: "cut")
        } catch {
            #expect(error.file == "cut.onnx")
            #expect(error.description.hasPrefix("cut.onnx: not an ONNX model: "))
            #expect(!error.description.contains("\n"))
        }
    }

    /// Seeded garbage (deterministic): decoding fails, or decodes to nothing recognisable; never a crash.
    @Test func garbageIsACleanError() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in [0, 16, 1_000, 65_536] {
            var bytes = [UInt8]()
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            #expect(throws: ONNXImportError.self) {
                try ONNXImport.load(data: Data(bytes), file: "junk.onnx", name: "junk")
            }
        }
        let text = Data("{\"model_type\": \"llama\"}".utf8)
        #expect(throws: ONNXImportError.self) { try ONNXImport.load(data: text, file: "config.onnx", name: "config") }
    }

    @Test func missingFileNamesIt() {
        #expect(throws: ONNXImportError.unreadable(file: "/nonexistent/model.onnx", reason: "no such file")) {
            try ONNXImport.load(path: "/nonexistent/model.onnx")
        }
    }
}
