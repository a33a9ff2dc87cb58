import Foundation
import Testing
@testable import ModelGraph

@Suite struct ScenarioTests {
    @Test func shippedScenariosLoad() throws {
        let dir = Fixtures.workloads.appendingPathComponent("scenarios").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == ["batch-offline.json", "chat.json", "long-context.json", "tiny-test.json"])
        for file in files { _ = try Scenario.load(path: Fixtures.scenario(file)) }

        let chat = try Scenario.load(path: Fixtures.scenario("chat.json"))
        #expect(chat == Scenario(inputTokens: 1024, outputTokens: 256, requestsPerSecond: 4, mode: .continuous,
                                 maxTTFTMs: 1000, maxTPOTMs: 50, precision: .bf16))
        let long = try Scenario.load(path: Fixtures.scenario("long-context.json"))
        #expect(long.inputTokens == 32_768 && long.outputTokens == 1024 && long.batch == 8)
        #expect(long.precision == Precision(weights: .bf16, activations: .bf16, kvCache: .fp8))
        let offline = try Scenario.load(path: Fixtures.scenario("batch-offline.json"))
        #expect(offline.batch == 512 && offline.maxTTFTMs == nil && offline.precision == Precision(.fp8))
    }

    private func scenarioError(_ text: String) throws -> (path: String, error: ModelGraphError?) {
        let path = try Fixtures.temporaryFile(text, name: "scenario.json")
        let error = #expect(throws: ModelGraphError.self) { try Scenario.load(path: path) }
        return (path, error)
    }

    @Test func unknownKeysAreRejected() throws {
        let top = try scenarioError(#"{"inputTokens": 8, "outputTokens": 8, "batch": 1, "batchSize": 4}"#)
        #expect(top.error == .unknownKey(file: top.path, key: "batchSize", allowed: Scenario.keys))
        let nested = try scenarioError(#"{"inputTokens": 8, "outputTokens": 8, "batch": 1, "precision": {"kv": "fp8"}}"#)
        #expect(nested.error == .unknownKey(file: nested.path, key: "precision.kv", allowed: Scenario.precisionKeys))
        #expect(nested.error?.description.hasPrefix("\(nested.path): precision.kv: unknown key; expected one of ") == true)
    }

    @Test func missingLoadAndBadValues() throws {
        let load = try scenarioError(#"{"_comment": "x", "inputTokens": 8, "outputTokens": 8}"#)
        #expect(load.error?.key == "batch")
        let zero = try scenarioError(#"{"inputTokens": 0, "outputTokens": 8, "batch": 1}"#)
        #expect(zero.error == .notPositive(file: zero.path, key: "inputTokens", value: 0))
        let dtype = try scenarioError(#"{"inputTokens": 8, "outputTokens": 8, "batch": 1, "precision": {"weights": "fp9"}}"#)
        #expect(dtype.error?.key == "precision.weights")
        let mode = try scenarioError(#"{"inputTokens": 8, "outputTokens": 8, "batch": 1, "mode": "dynamic"}"#)
        #expect(mode.error == .invalidValue(file: mode.path, key: "mode", value: "`dynamic`",
                                            expected: "one of static, continuous"))
    }
}
