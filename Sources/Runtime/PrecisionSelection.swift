import ModelGraph

/// `--precision auto`: a format per layer class (attention weights, MLP weights, KV cache) that
/// keeps the max relative logit error against FP32 within a budget on a tiny model in numeric
/// mode, and among those the fastest the planner predicts.
///
/// Search: each class is measured alone in every candidate format (others FP32, activations as
/// given); a combination's error is estimated as the sum of its classes' excess over the
/// activations-only error (first order); the speed/accuracy frontier of all combinations by
/// (predicted tokens/s, estimated error) is then measured for real, and the fastest measured
/// point within budget wins. The estimate only orders the search; no choice rests on it.
public struct PrecisionSelection: Sendable {
    public enum LayerClass: String, CaseIterable, Sendable {
        case attentionWeights = "attention weights", mlpWeights = "MLP weights", kvCache = "KV cache"
    }

    /// One combination of formats.
    public struct Point: Sendable {
        public var quantisation: Quantisation
        public var tokensPerSecond: Double
        public var estimatedError: Double
        /// Measured on the fixed token set (frontier points near the budget).
        public var accuracy: LogitAccuracy?
    }

    /// Each class alone in each candidate format.
    public var perClass: [(layerClass: LayerClass, format: NumericFormat, accuracy: LogitAccuracy)] = []
    /// Combinations no other beats on both speed and estimated error, fastest first.
    public var frontier: [Point] = []
    /// The fastest measured point within the budget; nil when none is.
    public var chosen: Point?
    public var combinations = 0
    public var infeasible = 0

    /// Formats tried per class, widest first.
    public static let candidates: [NumericFormat] = [.fp32, .bf16, .fp8E4M3, .int8Channel, .mxint8, .int4Group, .mxint4, .mxfp4]

    /// Frontier points whose estimate is beyond this many budgets are not measured.
    static let measureWithin = 8.0

    /// `throughput` prices a combination (predicted output tokens/s), nil when it cannot run.
    public static func select(config: ModelConfig, seed: UInt64, activations: NumericFormat, maxLogitError budget: Double,
                              candidates: [NumericFormat] = candidates, tokens: [[Int]],
                              throughput: (Quantisation) -> Double?) -> PrecisionSelection {
        var s = PrecisionSelection()
        let fp32 = Reference.everyPosition(weights: TinyWeights(config: config, seed: seed), tokens: tokens)
        let needs = activations.needsCalibration || candidates.contains(where: \.needsCalibration)
        let calibration = needs ? ScaleCalibration.calibrate(config: config, weightSeed: seed) : nil
        func measure(_ q: Quantisation) -> LogitAccuracy {
            LogitAccuracy.measure(config: config, seed: seed, quantisation: q, tokens: tokens, reference: fp32)
        }
        var base = Quantisation(attentionWeights: .fp32, mlpWeights: .fp32, activations: activations, kvCache: .fp32)
        base.calibration = calibration
        let baseAccuracy = measure(base)
        var alone: [LayerClass: [NumericFormat: Double]] = [:]
        for c in LayerClass.allCases {
            for f in candidates {
                let a = f == .fp32 ? baseAccuracy : measure(base.with(c, f))
                s.perClass.append((c, f, a))
                alone[c, default: [:]][f] = a.maxRelativeError
            }
        }
        var points: [Point] = []
        for a in candidates {
            for m in candidates {
                for k in candidates {
                    s.combinations += 1
                    let q = base.with(.attentionWeights, a).with(.mlpWeights, m).with(.kvCache, k)
                    guard let speed = throughput(q) else { s.infeasible += 1; continue }
                    let excess = [(LayerClass.attentionWeights, a), (.mlpWeights, m), (.kvCache, k)].reduce(0.0) {
                        $0 + max((alone[$1.0]?[$1.1] ?? 0) - baseAccuracy.maxRelativeError, 0)
                    }
                    points.append(Point(quantisation: q, tokensPerSecond: speed,
                                        estimatedError: baseAccuracy.maxRelativeError + excess))
                }
            }
        }
        s.frontier = frontier(points)
        for i in s.frontier.indices where s.frontier[i].estimatedError <= budget * measureWithin {
            s.frontier[i].accuracy = measure(s.frontier[i].quantisation)
        }
        s.chosen = s.frontier.first { ($0.accuracy?.maxRelativeError ?? .infinity) <= budget }
        return s
    }

    /// Fastest first, each point more accurate (by estimate) than every faster one; among equal
    /// speeds (within 1e-9) the most accurate, then the first in candidate order.
    static func frontier(_ points: [Point]) -> [Point] {
        let ordered = points.enumerated().sorted {
            if abs($0.element.tokensPerSecond - $1.element.tokensPerSecond) > 1e-9 * max($0.element.tokensPerSecond, 1) {
                return $0.element.tokensPerSecond > $1.element.tokensPerSecond
            }
            if $0.element.estimatedError != $1.element.estimatedError { return $0.element.estimatedError < $1.element.estimatedError }
            return $0.offset < $1.offset
        }.map(\.element)
        var out: [Point] = []
        for p in ordered where out.last.map({ p.estimatedError < $0.estimatedError }) ?? true { out.append(p) }
        return out
    }
}

extension Quantisation {
    /// These formats with one layer class changed.
    func with(_ c: PrecisionSelection.LayerClass, _ f: NumericFormat) -> Quantisation {
        var q = self
        switch c {
        case .attentionWeights: q.attentionWeights = f
        case .mlpWeights: q.mlpWeights = f
        case .kvCache: q.kvCache = f
        }
        return q
    }
}
