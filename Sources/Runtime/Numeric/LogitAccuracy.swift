import Foundation
import ModelGraph

/// What a set of formats costs in accuracy: logits of a quantised model against the FP32 model's
/// on the same tokens (teacher forcing, every position scored).
public struct LogitAccuracy: Sendable, Equatable {
    /// max |quantised − fp32| / max |fp32| over all logits (the emulator's error measure).
    public var maxRelativeError: Double
    /// mean |quantised − fp32| / mean |fp32|.
    public var meanRelativeError: Double
    /// Share of positions whose argmax token is the same.
    public var top1Agreement: Double
    /// Mean over positions of KL(softmax(fp32) ‖ softmax(quantised)), in nats.
    public var klDivergence: Double
    public var positions: Int

    /// Compares row-major logits (positions × vocab) of the quantised model with the reference's.
    public init(reference: [Float], quantised: [Float], vocab: Int) {
        precondition(reference.count == quantised.count && vocab > 0, "LogitAccuracy: \(reference.count) ≠ \(quantised.count)")
        var maxDiff = 0.0, maxRef = 0.0, sumDiff = 0.0, sumRef = 0.0
        for (q, f) in zip(quantised, reference) {
            let d = abs(Double(q) - Double(f))
            maxDiff = max(maxDiff, d); maxRef = max(maxRef, abs(Double(f)))
            sumDiff += d; sumRef += abs(Double(f))
        }
        let rows = reference.count / vocab
        let sameTop = zip(Kernels.argmax(reference, width: vocab), Kernels.argmax(quantised, width: vocab)).filter { $0 == $1 }.count
        var kl = 0.0
        for row in 0..<rows {
            let p = Self.logSoftmax(reference[(row * vocab)..<((row + 1) * vocab)])
            let q = Self.logSoftmax(quantised[(row * vocab)..<((row + 1) * vocab)])
            kl += zip(p, q).reduce(0.0) { $0 + exp($1.0) * ($1.0 - $1.1) }
        }
        maxRelativeError = maxDiff / max(maxRef, 1e-30)
        meanRelativeError = sumDiff / max(sumRef, 1e-30)
        top1Agreement = rows > 0 ? Double(sameTop) / Double(rows) : 1
        klDivergence = rows > 0 ? kl / Double(rows) : 0
        positions = rows
    }

    static func logSoftmax(_ x: ArraySlice<Float>) -> [Double] {
        let top = Double(x.max() ?? 0)
        let logSum = log(x.reduce(0.0) { $0 + exp(Double($1) - top) }) + top
        return x.map { Double($0) - logSum }
    }

    /// The fixed token set accuracy is measured on: `sequences` × `tokens` ids from a constant seed,
    /// the same for every format and weight seed (so figures compare).
    public static func tokenSet(config: ModelConfig, sequences: Int = 4, tokens: Int = 32) -> [[Int]] {
        Reference.prompt(config: config, batch: sequences, length: tokens, seed: 0x7e55_e1a)
    }

    /// The formats' accuracy on the fixed token set, unpartitioned, against FP32 logits
    /// `reference` (from `everyPosition` with FP32 weights; pass them to reuse one reference).
    public static func measure(config: ModelConfig, seed: UInt64, quantisation: Quantisation, tokens: [[Int]],
                               reference: [[Float]]? = nil) -> LogitAccuracy {
        let fp32 = reference ?? Reference.everyPosition(weights: TinyWeights(config: config, seed: seed), tokens: tokens)
        let quantised = Reference.everyPosition(weights: TinyWeights(config: config, seed: seed, quantisation: quantisation),
                                                tokens: tokens)
        return LogitAccuracy(reference: fp32.flatMap { $0 }, quantised: quantised.flatMap { $0 }, vocab: config.vocabSize)
    }
}

extension ScaleCalibration {
    /// Runs the FP32 model over a calibration batch (`sequences` prompts of `tokens` from
    /// `promptSeed`, distinct from the accuracy token set) and records every point's largest |value|.
    public static func calibrate(config: ModelConfig, weightSeed: UInt64, sequences: Int = 4, tokens: Int = 32,
                                 promptSeed: UInt64 = 0xca11b) -> ScaleCalibration {
        let recorder = AbsMaxRecorder()
        let prompts = Reference.prompt(config: config, batch: sequences, length: tokens, seed: promptSeed)
        _ = Reference.everyPosition(weights: TinyWeights(config: config, seed: weightSeed), tokens: prompts, recorder: recorder)
        return ScaleCalibration(sequences: sequences, tokens: tokens, seed: promptSeed, absMax: recorder.absMax)
    }
}
