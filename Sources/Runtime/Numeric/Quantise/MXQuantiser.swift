import Foundation

/// OCP Microscaling (MX) v1.0: blocks of 32 elements share one E8M0 scale X = 2^(⌊log2 amax⌋ − emax),
/// where emax is the exponent of the element format's largest normal binade; each element is
/// x / X rounded (to nearest even) and saturated into the element format (spec §6.3).
public struct MXQuantiser: Sendable, Equatable {
    public enum Element: Sendable, Equatable {
        /// Two's-complement integer with `fractionBits` bits after the point (MXINT8: 1.6, emax 0).
        case fixedPoint(bits: Int, fractionBits: Int)
        case float(MiniFloat)
    }

    public static let blockSize = 32
    public let element: Element

    public static let mxint8 = MXQuantiser(element: .fixedPoint(bits: 8, fractionBits: 6))
    /// Not in v1.0: assumed as MXINT8's layout with 2 fraction bits (±1.75 in steps of 0.25).
    public static let mxint4 = MXQuantiser(element: .fixedPoint(bits: 4, fractionBits: 2))
    public static let mxfp4 = MXQuantiser(element: .float(.e2m1))

    /// emax of the element format: 0 for the fixed-point ones (their largest binade is [1, 2)).
    var elementMaxExponent: Int {
        switch element {
        case .fixedPoint: 0
        case .float(let f): f.maxExponent
        }
    }

    /// The shared scale exponent of a block whose largest magnitude is `absMax`, clamped to E8M0's
    /// range (2^−127…2^127); an all-zero block takes 2^0.
    public func scaleExponent(absMax: Double) -> Int {
        guard absMax > 0, absMax.isFinite else { return 0 }
        return min(max(Int(absMax.exponent) - elementMaxExponent, -127), 127)
    }

    /// One element already divided by the block scale, rounded and saturated.
    func roundElement(_ v: Double) -> Double {
        switch element {
        case let .fixedPoint(bits, fractionBits):
            // Symmetric: the most negative code is not used, as MXINT8 permits (spec §5.3.3).
            let unit = Double(sign: .plus, exponent: -fractionBits, significand: 1)
            let qmax = Double((1 << (bits - 1)) - 1)
            return min(max((v / unit).rounded(.toNearestOrEven), -qmax), qmax) * unit
        case .float(let f):
            return f.round(v)
        }
    }

    /// Quantises `values[indices]` as one block, in place.
    func block(_ values: inout [Float], _ indices: some Sequence<Int>) {
        let absMax = indices.reduce(0.0) { max($0, abs(Double(values[$1]))) }
        let scale = Double(sign: .plus, exponent: scaleExponent(absMax: absMax), significand: 1)
        for i in indices { values[i] = Float(roundElement(Double(values[i]) / scale) * scale) }
    }

    /// Row-major rows of `width` elements, in blocks of 32 along each row (activations, K/V heads);
    /// a row not a multiple of 32 ends with a shorter block.
    public func rows(_ x: [Float], width: Int) -> [Float] {
        var out = x
        guard width > 0 else { return out }
        for start in stride(from: 0, to: x.count, by: width) {
            for first in stride(from: start, to: start + width, by: Self.blockSize) {
                block(&out, first..<min(first + Self.blockSize, start + width))
            }
        }
        return out
    }

    /// A K × N row-major weight, in blocks of 32 along K (the reduction dimension) of each column.
    public func weights(_ w: [Float], rows: Int, cols: Int) -> [Float] {
        var out = w
        for col in 0..<cols {
            for first in stride(from: 0, to: rows, by: Self.blockSize) {
                block(&out, stride(from: first * cols + col, to: min(first + Self.blockSize, rows) * cols, by: cols))
            }
        }
        return out
    }
}
