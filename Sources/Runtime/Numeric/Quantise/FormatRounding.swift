import ModelGraph

/// Each numeric format's rounding of a weight matrix and of activation or K/V rows, built from the
/// three families (MiniFloat, IntQuantiser, MXQuantiser).
extension NumericFormat {
    /// A whole K × N row-major weight (scales see the whole tensor, so every shard of it agrees).
    public func roundWeights(_ w: [Float], rows: Int, cols: Int) -> [Float] {
        switch self {
        case .fp32: return w
        case .bf16: return w.map { MiniFloat.bf16.round($0) }
        case .fp16: return w.map { MiniFloat.fp16.round($0) }
        case .fp8E4M3, .fp8E5M2: return Self.scaled(w, absMax: Self.absMax(w), element: minifloat)
        case .int8Channel: return IntQuantiser.int8.weights(w, rows: rows, cols: cols, groupRows: nil)
        case .int8Group: return IntQuantiser.int8.weights(w, rows: rows, cols: cols, groupRows: 128)
        case .int4Channel: return IntQuantiser.int4.weights(w, rows: rows, cols: cols, groupRows: nil)
        case .int4Group: return IntQuantiser.int4.weights(w, rows: rows, cols: cols, groupRows: 128)
        case .mxint8: return MXQuantiser.mxint8.weights(w, rows: rows, cols: cols)
        case .mxint4: return MXQuantiser.mxint4.weights(w, rows: rows, cols: cols)
        case .mxfp4: return MXQuantiser.mxfp4.weights(w, rows: rows, cols: cols)
        }
    }

    /// Activation or K/V rows of `width`: MX formats in blocks of 32 along each row; integer and
    /// FP8 formats with one static scale from the calibrated `absMax` (values beyond it saturate).
    public func roundRows(_ x: [Float], width: Int, absMax: Float) -> [Float] {
        switch self {
        case .fp32: return x
        case .bf16: return x.map { MiniFloat.bf16.round($0) }
        case .fp16: return x.map { MiniFloat.fp16.round($0) }
        case .fp8E4M3, .fp8E5M2: return Self.scaled(x, absMax: Double(absMax), element: minifloat)
        case .int8Channel, .int8Group, .int4Channel, .int4Group:
            let q = dtype == .int8 ? IntQuantiser.int8 : IntQuantiser.int4
            let s = q.scale(absMax: Double(absMax))
            return x.map { q.round($0, scale: s) }
        case .mxint8: return MXQuantiser.mxint8.rows(x, width: width)
        case .mxint4: return MXQuantiser.mxint4.rows(x, width: width)
        case .mxfp4: return MXQuantiser.mxfp4.rows(x, width: width)
        }
    }

    private var minifloat: MiniFloat { self == .fp8E5M2 ? .e5m2 : .e4m3 }

    static func absMax(_ x: [Float]) -> Double { x.reduce(0.0) { max($0, abs(Double($1))) } }

    /// FP8 with one scale per tensor: absMax maps onto the element's largest finite value.
    static func scaled(_ x: [Float], absMax: Double, element: MiniFloat) -> [Float] {
        let scale = absMax > 0 ? absMax / element.maxFinite : 1
        return x.map { Float(element.round(Double($0) / scale) * scale) }
    }
}
