import Foundation
import ModelGraph
import Runtime
import Testing

@Suite struct ReferenceTests {
    @Test func promptIsDeterministicAndInVocabulary() throws {
        let config = try NumericFixtures.llama()
        let prompt = Reference.prompt(config: config, batch: 3, length: 5, seed: 1)
        #expect(prompt == Reference.prompt(config: config, batch: 3, length: 5, seed: 1))
        #expect(prompt != Reference.prompt(config: config, batch: 3, length: 5, seed: 2))
        #expect(prompt.map(\.count) == [5, 5, 5])
        #expect(prompt.joined().allSatisfy { (0..<4096).contains($0) })
        #expect(Set(prompt.joined()).count == 15)
    }

    @Test(arguments: ["tiny-llama.json", "tiny-moe.json"])
    func logitsAreFiniteDeterministicAndWellScaled(_ workload: String) throws {
        let (config, weights, prompt) = try NumericFixtures.model(workload, seed: 1, batch: 2, length: 6)
        let logits = Reference.logits(config: config, weights: weights, tokens: prompt, decodeSteps: 2)
        #expect(logits.map(\.count) == [4096, 4096])
        #expect(logits.joined().allSatisfy { $0.isFinite })
        #expect(logits == Reference.logits(config: config, weights: weights, tokens: prompt, decodeSteps: 2))
        // The two sequences differ, and the logits neither vanish nor blow up through 4 layers.
        #expect(logits[0] != logits[1])
        let rms = (logits[0].reduce(0.0) { $0 + Double($1 * $1) } / 4096).squareRoot()
        #expect(rms > 0.1 && rms < 10, "rms \(rms)")
    }

    /// Prefill of N tokens equals prefill of N − 1 then one decode step: the KV cache and rotary
    /// offsets carry positions correctly.
    @Test(arguments: ["tiny-llama.json", "tiny-moe.json"])
    func decodeStepMatchesLongerPrefill(_ workload: String) throws {
        let (config, weights, prompt) = try NumericFixtures.model(workload, seed: 5, batch: 1, length: 7)
        let first = Reference.logits(config: config, weights: weights, tokens: prompt, decodeSteps: 0)
        let next = Kernels.argmax(first[0], width: config.vocabSize)[0]
        let decoded = Reference.logits(config: config, weights: weights, tokens: prompt, decodeSteps: 1)
        let prefilled = Reference.logits(config: config, weights: weights, tokens: [prompt[0] + [next]], decodeSteps: 0)
        let error = NumericFixtures.relativeError(decoded[0], prefilled[0])
        print("\(workload) decode vs prefill max relative error \(error)")
        #expect(error <= 1e-5)
        #expect(decoded[0] != first[0])
    }
}

@Suite struct NumericLimitTests {
    /// A full-size model is refused before any weight is built (it would need 32 GB per process).
    @Test func fullSizeModelsAreRefusedWithTheFigure() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let big = try ModelGraph.load(path: root.appendingPathComponent("Workloads/llama-3-8b.json").path).config
        #expect(Reference.unsupported(big) == "the reference is built in Float32 in one process, and this model has "
            + "8030261248 parameters (32 GB), more than the 100000000 allowed: use a tiny workload "
            + "(Workloads/tiny-llama.json, tiny-moe.json) or timing mode")
        let tiny = try ModelGraph.load(path: root.appendingPathComponent("Workloads/tiny-moe.json").path).config
        #expect(Reference.unsupported(tiny) == nil)
    }

    /// Structures the numeric kernels do not implement are refused by name, not emulated as another model.
    @Test func unmodelledStructuresAreRefusedByName() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let tiny = try ModelGraph.load(path: root.appendingPathComponent("Workloads/tiny-llama.json").path).config
        #expect(Reference.unsupported(tiny) == nil)
        let cases: [(String, (inout ModelConfig) -> Void)] = [
            ("gated GELU (GeGLU)", { $0.activation = .geglu }),
            ("QK-norm", { $0.qkNorm = true }),
            ("parallel attention and MLP blocks", { $0.parallelBlock = true }),
            ("sandwich-norm blocks", { $0.normPlacement = .sandwich }),
            ("post-norm blocks", { $0.normPlacement = .post }),
            ("windowed attention", { $0.slidingWindow = 64; $0.windowedLayers = [true, false, true, false] }),
            ("ALiBi positions", { $0.positions = .alibi }),
            ("biases", { $0.lmHeadBias = true }),
            ("biases", { $0.expertBias = true }),
            ("attention sinks", { $0.attentionSinks = true }),
        ]
        for (name, change) in cases {
            var config = tiny
            change(&config)
            #expect(Reference.unsupported(config) == "numeric mode does not support \(name) (model type llama)")
        }
    }
}
