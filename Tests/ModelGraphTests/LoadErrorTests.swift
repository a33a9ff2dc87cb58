import Foundation
import Testing
@testable import ModelGraph

@Suite struct LoadErrorTests {
    private func loadError(_ text: String) throws -> (path: String, error: ModelGraphError?) {
        let path = try Fixtures.temporaryFile(text)
        let error = #expect(throws: ModelGraphError.self) { try ModelGraph.load(path: path) }
        return (path, error)
    }

    @Test func minimalConfigLoads() throws {
        let graph = try ModelGraph.load(path: Fixtures.temporaryFile(Fixtures.llamaConfigText()))
        #expect(graph.name == "config")
        #expect(graph.config.headDim == 8)
        #expect(graph.config.norm == .rmsNorm && graph.config.positions == .rotary)
    }

    /// MQA: one KV head (a JSON 1 must read as an integer, not as true). hidden 64, 8 heads of 8,
    /// 2 layers: KV = 2 layers × 2 × 1 × 8 × 2 bytes; k_proj 64 × 8.
    @Test func multiQueryAttention() throws {
        let graph = try ModelGraph.load(path: Fixtures.temporaryFile(Fixtures.llamaConfigText(["num_key_value_heads": "1"])))
        #expect(graph.kvCacheBytesPerToken(.bf16) == 64)
        #expect(graph.ops(inLayer: 0).first { $0.kind == .kProjection }?.parameters == 512)
    }

    @Test func missingKeyNamesFileAndKey() throws {
        let (path, error) = try loadError(Fixtures.llamaConfigText(["hidden_size": nil]))
        #expect(error == .missingKey(file: path, key: "hidden_size", expected: "a positive integer"))
        #expect(error?.description == "\(path): hidden_size: missing; expected a positive integer")
    }

    @Test func zeroValueNamesFileAndKey() throws {
        let (path, error) = try loadError(Fixtures.llamaConfigText(["num_hidden_layers": "0"]))
        #expect(error?.description == "\(path): num_hidden_layers: expected a positive integer, got 0")
        let negative = try loadError(Fixtures.llamaConfigText(["vocab_size": "-5"]))
        #expect(negative.error == .notPositive(file: negative.path, key: "vocab_size", value: -5))
    }

    @Test func badJSONNamesFile() throws {
        let (path, error) = try loadError("{\"hidden_size\": 64,")
        guard case .invalidJSON(let file, _)? = error else {
            Issue.record("expected invalidJSON, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(error?.description.hasPrefix("\(path): not valid JSON: ") == true)
        let located = try loadError("{\"a\": 1,\n \"b\": }")
        #expect(located.error == .invalidJSON(file: located.path, reason: "Invalid value around character 15. (line 2, column 7)"))
        let array = try loadError("[1]")
        #expect(array.error == .invalidJSON(file: array.path, reason: "the top level is not an object"))
        #expect(error?.key == nil)
    }

    @Test func wrongTypeAndBadValues() throws {
        let text = try loadError(Fixtures.llamaConfigText(["hidden_size": "\"64\""]))
        #expect(text.error == .wrongType(file: text.path, key: "hidden_size", expected: "an integer"))
        let act = try loadError(Fixtures.llamaConfigText(["hidden_act": "\"relu\""]))
        #expect(act.error?.key == "hidden_act")
        #expect(act.error?.description.contains("hidden_act: expected ") == true && act.error?.description.hasSuffix("got `relu`") == true)
        let kv = try loadError(Fixtures.llamaConfigText(["num_key_value_heads": "3"]))
        #expect(kv.error == .invalidValue(file: kv.path, key: "num_key_value_heads", value: "3",
                                          expected: "a divisor of num_attention_heads 8"))
        let topK = try loadError(Fixtures.llamaConfigText(["model_type": "\"mixtral\"", "num_local_experts": "4", "num_experts_per_tok": "6"]))
        #expect(topK.error?.key == "num_experts_per_tok")
        let mla = try loadError(Fixtures.llamaConfigText(["kv_lora_rank": "16"]))
        #expect(mla.error == .missingKey(file: mla.path, key: "qk_rope_head_dim", expected: "a positive integer"))
    }

    @Test func missingFile() {
        let error = #expect(throws: ModelGraphError.self) { try ModelGraph.load(path: "/nonexistent/x.json") }
        #expect(error?.file == "/nonexistent/x.json")
        #expect(error?.description.hasPrefix("/nonexistent/x.json: cannot read the file") == true)
    }

    @Test func underscoreAndUnknownKeysAreIgnoredInConfigs() throws {
        let text = Fixtures.llamaConfigText(["_source": "\"test\"", "rope_theta": "10000.0", "q_lora_rank": "null"])
        #expect(try ModelGraph.load(path: Fixtures.temporaryFile(text)).totalParameters
                == ModelGraph.load(path: Fixtures.temporaryFile(Fixtures.llamaConfigText())).totalParameters)
    }
}

@Suite struct NumericKeysTests {
    @Test func ropeThetaAndNormEpsilonAreRead() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let llama3 = try ModelGraph.load(path: root.appendingPathComponent("Workloads/llama-3-8b.json").path).config
        #expect(llama3.ropeTheta == 500_000)
        #expect(llama3.normEpsilon == 1e-5)
        let tiny = try ModelGraph.load(path: root.appendingPathComponent("Workloads/tiny-llama.json").path).config
        #expect(tiny.ropeTheta == 10_000)
    }
}
