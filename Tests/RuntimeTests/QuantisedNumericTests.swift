import Foundation
import ModelGraph
import Planner
import Testing
@testable import Runtime

/// Numeric mode in a plan's formats (in-process fabric), and the checks a plan's formats and
/// calibration pass on loading.
@Suite struct QuantisedNumericTests {
    /// MX weights and activations: every rank rounds its shard exactly as the whole model does, so
    /// the split still agrees to Float32 summation order; the formats cost accuracy against FP32.
    @Test(arguments: [(2, 1, "tiny-llama.json"), (1, 2, "tiny-moe.json")])
    func partitionedMatchesUnpartitionedInTheSameFormats(tp: Int, ep: Int, model: String) throws {
        let q = Quantisation(attentionWeights: .mxint8, mlpWeights: .mxint4, activations: .mxint8, kvCache: .mxint8)
        var plan = try Fixtures.plan(model: model, precision: q.precision, tp: tp, ep: ep, batch: 2, inputTokens: 4)
        plan.quantisation = q
        var options = EmulationOptions()
        options.numeric = true
        options.decodeSteps = 1
        (options.accuracySequences, options.accuracyTokens) = (2, 4)   // a small token set keeps the debug build quick
        let result = try Fixtures.emulate(plan, options)
        #expect(try #require(result.maxRelativeError) <= 1e-4)
        let accuracy = try #require(result.accuracy)
        #expect(accuracy.positions == 8)
        #expect(accuracy.maxRelativeError > 1e-3 && accuracy.maxRelativeError < 1)
        #expect(try #require(result.maxRelativeErrorVsFP32) > 1e-4)
        #expect(result.report.contains("formats: attention=mxint8,mlp=mxint4,activations=mxint8,kv=mxint8"))
    }

    /// A plan file is hostile input: each bad calibration or format field is one error naming the key.
    @Test func loadingChecksFormatsAndCalibration() throws {
        var q = Quantisation(attentionWeights: .int8Channel, mlpWeights: .int8Channel, activations: .int8Channel,
                             kvCache: .int8Channel)
        let plan = try Fixtures.plan(cluster: "dgx-a100.yaml", precision: q.precision, tp: 1, batch: 2)
        let good = Dictionary(uniqueKeysWithValues: ScaleCalibration.points(layers: 4).map { ($0, Float(2)) })
        q.calibration = ScaleCalibration(sequences: 4, tokens: 32, seed: 1, absMax: good)
        func load(_ edit: (inout Plan) -> Void) throws -> String? {
            var p = plan
            p.quantisation = q
            edit(&p)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("quantised-\(getpid()).json").path
            try JSONEncoder().encode(p).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            do { _ = try Plan.load(path: path); return nil } catch { return error.reason }
        }
        #expect(try load { _ in } == nil)
        #expect(try load { $0.quantisation?.calibration?.absMax["layers.0.attn.in"] = -1 }
            == "inconsistent plan: quantisation.calibration.absMax.layers.0.attn.in: expected a magnitude from 0 to 1e30, got -1.0; write it again with `tessera plan -o`")
        #expect(try load { $0.quantisation?.calibration?.absMax["layers.9.attn.in"] = 1 }?
            .contains("absMax.layers.9.attn.in: not a point of this model") == true)
        #expect(try load { $0.quantisation?.calibration?.absMax["layers.3.kv.v"] = nil }?
            .contains("absMax.layers.3.kv.v: missing") == true)
        #expect(try load { $0.quantisation?.calibration?.sequences = 0 }?
            .contains("expected 1…1,024 sequences of 1…65,536 tokens, got 0 × 32") == true)
        #expect(try load { $0.quantisation?.mlpWeights = .int4Group }?
            .contains("quantisation: its formats price as weights int8, MLP weights int4") == true)
    }

    /// Integer activations without calibration: the plan loads (timing mode needs none), numeric mode refuses.
    @Test func numericModeNeedsCalibrationForStaticScales() throws {
        let q = Quantisation(.int8Channel)
        var plan = try Fixtures.plan(cluster: "dgx-a100.yaml", precision: q.precision, tp: 1, batch: 2, inputTokens: 4)
        plan.quantisation = q
        var options = EmulationOptions()
        options.numeric = true
        #expect(throws: FabricError.self) { try Fixtures.emulate(plan, options) }
    }
}
