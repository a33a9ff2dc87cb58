import Foundation

/// Float32 kernels on row-major `[Float]`. Matmuls accumulate in Double over k = 0..<K in order and
/// round once to Float, so a row-parallel split summed across ranks agrees with the whole to ~1e-7.
public enum Kernels {
    /// x (m × k) · w (k × n) → m × n.
    public static func matmul(_ x: [Float], _ w: [Float], m: Int, k: Int, n: Int) -> [Float] {
        precondition(x.count == m * k && w.count == k * n, "matmul: \(x.count) ≠ \(m)×\(k) or \(w.count) ≠ \(k)×\(n)")
        var out = [Float](repeating: 0, count: m * n)
        var row = [Double](repeating: 0, count: n)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { out in
                    row.withUnsafeMutableBufferPointer { row in
                        for i in 0..<m {
                            row.update(repeating: 0)
                            // i-k-j order streams rows of w, so it stays cache-friendly without blocking.
                            for p in 0..<k {
                                let a = Double(x[i * k + p])
                                let weights = w.baseAddress.map { $0 + p * n }
                                guard a != 0, let weights else { continue }
                                for j in 0..<n { row[j] += a * Double(weights[j]) }
                            }
                            for j in 0..<n { out[i * n + j] = Float(row[j]) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Columns `columns` of a row-major matrix with `width` columns (e.g. a row-parallel input slice).
    public static func columns(_ x: [Float], width: Int, _ columns: Range<Int>) -> [Float] {
        let rows = width == 0 ? 0 : x.count / width
        var out = [Float]()
        out.reserveCapacity(rows * columns.count)
        for row in 0..<rows { out += x[(row * width + columns.lowerBound)..<(row * width + columns.upperBound)] }
        return out
    }

    /// Elementwise a + b (residual add, or summing partials).
    public static func add(_ a: [Float], _ b: [Float]) -> [Float] {
        precondition(a.count == b.count, "add: \(a.count) ≠ \(b.count)")
        return zip(a, b).map { $0 + $1 }
    }

    /// RMSNorm per row (Zhang & Sennrich 2019): x / sqrt(mean(x²) + eps) · weight; sums in Double.
    public static func rmsNorm(_ x: [Float], weight: [Float], eps: Float = 1e-5) -> [Float] {
        let width = weight.count
        var out = [Float](repeating: 0, count: x.count)
        for row in 0..<(x.count / max(width, 1)) {
            let slice = x[(row * width)..<((row + 1) * width)]
            let meanSquare = slice.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(width)
            let inverse = 1 / (meanSquare + Double(eps)).squareRoot()
            for j in 0..<width { out[row * width + j] = Float(Double(x[row * width + j]) * inverse) * weight[j] }
        }
        return out
    }

    /// LayerNorm per row (Ba et al. 2016): (x − mean) / sqrt(var + eps) · weight + bias.
    public static func layerNorm(_ x: [Float], weight: [Float], bias: [Float], eps: Float = 1e-5) -> [Float] {
        let width = weight.count
        var out = [Float](repeating: 0, count: x.count)
        for row in 0..<(x.count / max(width, 1)) {
            let slice = x[(row * width)..<((row + 1) * width)]
            let mean = slice.reduce(0.0) { $0 + Double($1) } / Double(width)
            let variance = slice.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(width)
            let inverse = 1 / (variance + Double(eps)).squareRoot()
            for j in 0..<width {
                out[row * width + j] = Float((Double(x[row * width + j]) - mean) * inverse) * weight[j] + bias[j]
            }
        }
        return out
    }

    /// Rotary embedding in place, Llama's half-split form (Su et al. 2021; HF `rotate_half`):
    /// row t is at position `positionOffset + t`; each of `heads` heads of `headDim` rotates
    /// pairs (i, i + headDim/2) by position · theta^(−2i/headDim). Angles in Double.
    public static func rotary(_ x: inout [Float], tokens: Int, heads: Int, headDim: Int,
                              positionOffset: Int, theta: Double = 10_000) {
        let half = headDim / 2
        for t in 0..<tokens {
            let position = Double(positionOffset + t)
            for i in 0..<half {
                let angle = position * pow(theta, -2 * Double(i) / Double(headDim))
                let cosine = Float(cos(angle)), sine = Float(sin(angle))
                for h in 0..<heads {
                    let base = (t * heads + h) * headDim
                    let first = x[base + i], second = x[base + i + half]
                    x[base + i] = first * cosine - second * sine
                    x[base + i + half] = second * cosine + first * sine
                }
            }
        }
    }

    /// Softmax of each row of `width` elements, in Double.
    public static func softmax(_ x: [Float], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        for row in 0..<(x.count / max(width, 1)) {
            let slice = x[(row * width)..<((row + 1) * width)]
            let top = Double(slice.max() ?? 0)
            let exps = slice.map { exp(Double($0) - top) }
            let sum = exps.reduce(0, +)
            for j in 0..<width { out[row * width + j] = Float(exps[j] / sum) }
        }
        return out
    }

    /// SiLU(gate) · up (SwiGLU, Shazeer 2020).
    public static func swiglu(gate: [Float], up: [Float]) -> [Float] {
        precondition(gate.count == up.count, "swiglu: \(gate.count) ≠ \(up.count)")
        return zip(gate, up).map { g, u in Float(Double(g) / (1 + exp(-Double(g)))) * u }
    }

    /// GELU, tanh approximation (Hendrycks & Gimpel 2016).
    public static func gelu(_ x: [Float]) -> [Float] {
        x.map { value in
            let v = Double(value)
            return Float(0.5 * v * (1 + tanh(0.797_884_560_802_865_4 * (v + 0.044715 * v * v * v))))
        }
    }

    /// Index of the largest element of each row; ties go to the lowest index (greedy decoding).
    public static func argmax(_ x: [Float], width: Int) -> [Int] {
        (0..<(x.count / max(width, 1))).map { row in
            var best = 0
            for j in 1..<width where x[row * width + j] > x[row * width + best] { best = j }
            return best
        }
    }
}
