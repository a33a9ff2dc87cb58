import ModelGraph

/// Rounds one layer's activations (matmul inputs) and K/V into the plan's formats at the points
/// `ScaleCalibration.points` names; a recorder, when given, sees the values before rounding.
/// Every rank rounds the rows it holds the same way the unpartitioned model does: static scales
/// are per tensor, and MX blocks start at multiples of 32 (Shards.check makes shards align).
struct PointRounding: Sendable {
    let layer: Int
    let activations: NumericFormat
    let kvCache: NumericFormat
    let absMax: [String: Float]

    init(layer: Int, quantisation q: Quantisation) {
        self.layer = layer
        activations = q.activations
        kvCache = q.kvCache
        absMax = q.calibration?.absMax ?? [:]
    }

    /// A matmul input of rows × `width`, at point `name` (`attn.in`, `mlp.down_in`, …).
    func activation(_ x: [Float], width: Int, _ name: String, recorder: AbsMaxRecorder?) -> [Float] {
        round(x, width: width, name, activations, recorder)
    }

    /// Cached K or V rows (`kv.k`, `kv.v`), MX blocks within each head of `headDim`.
    func kv(_ x: [Float], headDim: Int, _ name: String, recorder: AbsMaxRecorder?) -> [Float] {
        round(x, width: headDim, name, kvCache, recorder)
    }

    private func round(_ x: [Float], width: Int, _ name: String, _ format: NumericFormat,
                       _ recorder: AbsMaxRecorder?) -> [Float] {
        let point = ScaleCalibration.point(layer: layer, name)
        recorder?.see(x, at: point)
        guard format != .fp32 else { return x }
        let scale = absMax[point] ?? 0
        precondition(!format.needsCalibration || absMax[point] != nil,
                     "\(format.rawValue) at \(point) needs a calibrated scale (Plan.load checks plans for it)")
        return format.roundRows(x, width: width, absMax: scale)
    }
}

/// Collects the largest |value| at each point over a calibration batch.
public final class AbsMaxRecorder {
    public private(set) var absMax: [String: Float] = [:]
    public init() {}

    func see(_ x: [Float], at point: String) {
        let m = x.reduce(Float(0)) { max($0, abs($1)) }
        absMax[point] = max(absMax[point] ?? 0, m)
    }
}
