/// A small binary floating-point element format (sign, `exponentBits`, `mantissaBits`) and
/// round-to-nearest-even into it, with subnormals, saturating at the largest finite value (the
/// OCP FP8 "satfinite" conversion; E4M3 and E2M1 have no infinity at all).
public struct MiniFloat: Sendable, Equatable {
    public let mantissaBits: Int
    /// Exponent of the smallest normal number (1 − bias).
    public let minExponent: Int
    public let maxFinite: Double

    /// OCP FP8 E4M3 (bias 7; 448 is the largest finite, S.1111.110).
    public static let e4m3 = MiniFloat(mantissaBits: 3, minExponent: -6, maxFinite: 448)
    /// OCP FP8 E5M2 (bias 15, IEEE-like; 57,344 is the largest finite).
    public static let e5m2 = MiniFloat(mantissaBits: 2, minExponent: -14, maxFinite: 57_344)
    /// OCP FP4 E2M1 (MXFP4 elements): 0, 0.5, 1, 1.5, 2, 3, 4, 6.
    public static let e2m1 = MiniFloat(mantissaBits: 1, minExponent: 0, maxFinite: 6)
    /// IEEE binary16.
    public static let fp16 = MiniFloat(mantissaBits: 10, minExponent: -14, maxFinite: 65_504)
    /// bfloat16: Float32's exponent, 7 mantissa bits.
    public static let bf16 = MiniFloat(mantissaBits: 7, minExponent: -126, maxFinite: 0x1.fep127)

    /// Exponent of the largest normal binade (the MX spec's emax of the element format).
    public var maxExponent: Int { Int(maxFinite.exponent) }

    /// The nearest representable value (ties to even), ±maxFinite beyond the range; NaN stays NaN.
    public func round(_ x: Double) -> Double {
        guard x.isFinite else { return x.isNaN ? x : (x < 0 ? -maxFinite : maxFinite) }
        let magnitude = abs(x)
        guard magnitude > 0 else { return x }
        // The quantum of x's binade; below the normal range, the subnormal quantum.
        let exponent = max(Int(magnitude.exponent), minExponent)
        let quantum = Double(sign: .plus, exponent: exponent - mantissaBits, significand: 1)
        let rounded = min((magnitude / quantum).rounded(.toNearestOrEven) * quantum, maxFinite)
        return x < 0 ? -rounded : rounded
    }

    public func round(_ x: Float) -> Float { Float(round(Double(x))) }
}
