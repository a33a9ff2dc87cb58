/// The numeric formats a plan runs in, per layer class, and the calibration that fixes the static
/// scales of activations and K/V (`tessera plan --formats` or `--precision auto` writes it).
/// Embedding, norms, router and LM head stay FP32 in numeric emulation.
public struct Quantisation: Codable, Sendable, Equatable, Hashable {
    /// q, k, v and o projections.
    public var attentionWeights: NumericFormat
    /// Gate, up and down projections of the MLP or of every expert.
    public var mlpWeights: NumericFormat
    /// Inputs of the attention and MLP matmuls.
    public var activations: NumericFormat
    /// K (after rotary) and V as they enter the cache.
    public var kvCache: NumericFormat
    /// Static scales; needed when activations or K/V use an integer or FP8 format.
    public var calibration: ScaleCalibration?

    public init(attentionWeights: NumericFormat, mlpWeights: NumericFormat, activations: NumericFormat,
                kvCache: NumericFormat, calibration: ScaleCalibration? = nil) {
        self.attentionWeights = attentionWeights
        self.mlpWeights = mlpWeights
        self.activations = activations
        self.kvCache = kvCache
        self.calibration = calibration
    }

    /// One format for every class.
    public init(_ all: NumericFormat) { self.init(attentionWeights: all, mlpWeights: all, activations: all, kvCache: all) }

    public static let fp32 = Quantisation(.fp32)

    public var needsCalibration: Bool { activations.needsCalibration || kvCache.needsCalibration }

    /// The dtypes the cost model prices these formats as (MLP weights apart when they differ).
    public var precision: Precision {
        Precision(weights: attentionWeights.dtype, activations: activations.dtype, kvCache: kvCache.dtype,
                  mlpWeights: mlpWeights.dtype == attentionWeights.dtype ? nil : mlpWeights.dtype)
    }

    /// `attention=F,mlp=F,activations=F,kv=F` (short keys `attn`, `a`; `weights`/`w` sets attention
    /// and MLP), unnamed parts FP32; or one format for all.
    public init(spec: String) throws(QuantisationSpecError) {
        if let all = NumericFormat(rawValue: spec) {
            self.init(all)
            return
        }
        var q = Quantisation.fp32
        for part in spec.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, let format = NumericFormat(rawValue: pair[1]) else {
                throw QuantisationSpecError(spec: spec, part: String(part))
            }
            switch pair[0] {
            case "attention", "attn": q.attentionWeights = format
            case "mlp": q.mlpWeights = format
            case "weights", "w": q.attentionWeights = format; q.mlpWeights = format
            case "activations", "a": q.activations = format
            case "kvCache", "kv": q.kvCache = format
            default: throw QuantisationSpecError(spec: spec, part: String(part))
            }
        }
        self = q
    }

    /// A short label: `attention=…,mlp=…,activations=…,kv=…`, or the one format.
    public var label: String {
        let parts = [attentionWeights, mlpWeights, activations, kvCache]
        if Set(parts).count == 1 { return attentionWeights.rawValue }
        return "attention=\(attentionWeights.rawValue),mlp=\(mlpWeights.rawValue),activations=\(activations.rawValue),kv=\(kvCache.rawValue)"
    }

    /// The first problem with these formats for a model of `layers` layers priced at `precision`,
    /// as "key: what is wrong", or nil. A plan file is hostile input: every scale is checked.
    public func problem(layers: Int, precision priced: Precision) -> String? {
        let want = precision
        if priced.weights != want.weights || priced.activations != want.activations || priced.kvCache != want.kvCache
            || (priced.mlpWeights ?? priced.weights) != (want.mlpWeights ?? want.weights) {
            return "quantisation: its formats price as weights \(want.weights.rawValue), MLP weights "
                + "\((want.mlpWeights ?? want.weights).rawValue), activations \(want.activations.rawValue), KV cache "
                + "\(want.kvCache.rawValue), but the scenario's precision says otherwise"
        }
        // Without calibration the plan still prices and emulates timing (a large model has none);
        // numeric mode refuses it (`ChipletNumerics`).
        return calibration?.problem(layers: layers)
    }
}

/// Largest magnitudes seen at each activation and K/V point on a calibration batch, run in FP32;
/// a static scale is absMax / the format's largest value.
public struct ScaleCalibration: Codable, Sendable, Equatable, Hashable {
    /// The batch: `sequences` prompts of `tokens` tokens from `seed` (weights use the run's seed).
    public var sequences: Int
    public var tokens: Int
    public var seed: UInt64
    /// Point → largest |value|, keys from `ScaleCalibration.points`.
    public var absMax: [String: Float]

    public init(sequences: Int, tokens: Int, seed: UInt64, absMax: [String: Float]) {
        self.sequences = sequences; self.tokens = tokens; self.seed = seed; self.absMax = absMax
    }

    /// The points of one layer: matmul inputs of attention (`attn.in`, `attn.o_in`) and of the MLP
    /// (`mlp.in`, `mlp.down_in`), and the cached K and V (`kv.k`, `kv.v`).
    public static let layerPoints = ["attn.in", "attn.o_in", "mlp.in", "mlp.down_in", "kv.k", "kv.v"]

    public static func point(layer: Int, _ name: String) -> String { "layers.\(layer).\(name)" }

    public static func points(layers: Int) -> [String] {
        (0..<layers).flatMap { l in layerPoints.map { point(layer: l, $0) } }
    }

    /// Largest calibrated magnitude: beyond it Float32 arithmetic on the scales is no longer safe.
    public static let maxAbs: Float = 1e30

    func problem(layers: Int) -> String? {
        guard (1...1024).contains(sequences), (1...65_536).contains(tokens) else {
            return "quantisation.calibration: expected 1…1,024 sequences of 1…65,536 tokens, got \(sequences) × \(tokens)"
        }
        let expected = Set(Self.points(layers: layers))
        if let extra = absMax.keys.sorted().first(where: { !expected.contains($0) }) {
            return "quantisation.calibration.absMax.\(extra): not a point of this model (expected layers.L.{"
                + Self.layerPoints.joined(separator: ",") + "} for L < \(layers))"
        }
        if let missing = expected.sorted().first(where: { absMax[$0] == nil }) {
            return "quantisation.calibration.absMax.\(missing): missing"
        }
        if let (key, v) = absMax.sorted(by: { $0.key < $1.key }).first(where: { !($0.value >= 0 && $0.value <= Self.maxAbs) }) {
            return "quantisation.calibration.absMax.\(key): expected a magnitude from 0 to 1e30, got \(v)"
        }
        return nil
    }
}

/// A `--formats` string that does not parse; says which part and what is accepted.
public struct QuantisationSpecError: Error, CustomStringConvertible, Sendable {
    public let spec: String
    public let part: String
    public var description: String {
        "formats `\(spec)`: cannot read `\(part)`; expected a format (\(NumericFormat.names)) "
            + "or attention=F,mlp=F,activations=F,kv=F (weights=F sets attention and MLP)"
    }
}
