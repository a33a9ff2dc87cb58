/// Symmetric integer quantisation: q = clamp(round(x / scale), −qmax, qmax), value q · scale, with
/// scale = absmax / qmax (LLM.int8, Dettmers et al. 2022; GPTQ, Frantar et al. 2023). The range is
/// symmetric, so int4 uses −7…7 and int8 −127…127 (−8 and −128 stay unused, as in those kernels).
public struct IntQuantiser: Sendable, Equatable {
    public let bits: Int
    public var qmax: Double { Double((1 << (bits - 1)) - 1) }

    public static let int8 = IntQuantiser(bits: 8)
    public static let int4 = IntQuantiser(bits: 4)

    /// The scale that maps `absMax` onto qmax (1 for an all-zero tensor, so zeros stay zeros).
    public func scale(absMax: Double) -> Double { absMax > 0 ? absMax / qmax : 1 }

    /// One element at `scale`, saturating beyond ±qmax · scale.
    public func round(_ x: Float, scale: Double) -> Float {
        Float(min(max((Double(x) / scale).rounded(.toNearestOrEven), -qmax), qmax) * scale)
    }

    /// A K × N row-major weight with one scale per output column (`groupRows` nil) or per group of
    /// `groupRows` consecutive rows of a column (the last group may be shorter).
    public func weights(_ w: [Float], rows: Int, cols: Int, groupRows: Int?) -> [Float] {
        var out = w
        let group = groupRows ?? rows
        for col in 0..<cols {
            for first in stride(from: 0, to: rows, by: max(group, 1)) {
                let span = first..<min(first + group, rows)
                let absMax = span.reduce(0.0) { max($0, abs(Double(w[$1 * cols + col]))) }
                let s = scale(absMax: absMax)
                for row in span { out[row * cols + col] = round(w[row * cols + col], scale: s) }
            }
        }
        return out
    }
}
