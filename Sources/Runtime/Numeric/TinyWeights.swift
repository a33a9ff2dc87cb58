import ModelGraph
import StableHash

/// Deterministic weights for numeric emulation: every element is a pure function of
/// (seed, tensor name, row, col), so any rank builds its shard without the whole tensor.
///
/// Tensors use ModelGraph's op names and are stored [in][out] (K × N): a column-parallel shard is a
/// column range, a row-parallel shard a row range. Routed experts are named
/// `layers.L.mlp.experts.E.gate_proj` (ModelGraph's op name with the expert index inserted); a norm's
/// weight is a 1 × hidden tensor named like its op, a LayerNorm's bias is `<norm>.bias`.
///
/// With a `quantisation`, attention and MLP weights come out rounded into their formats: the whole
/// global tensor is rounded (its scales see every row and column) and then cut, so every shard of
/// a tensor holds exactly the values the unpartitioned model holds.
public struct TinyWeights: Sendable {
    public let config: ModelConfig
    public let seed: UInt64
    public let quantisation: Quantisation

    public init(config: ModelConfig, seed: UInt64, quantisation: Quantisation = .fp32) {
        self.config = config
        self.seed = seed
        self.quantisation = quantisation
    }

    /// Element (row, col) of the named global tensor, before any quantisation.
    public func value(_ tensor: String, _ row: Int, _ col: Int) -> Float {
        let kind = TensorKind(tensor)
        return kind.scale(config) * Self.uniform(Self.tensorKey(seed: seed, tensor), row, col) + kind.offset
    }

    /// A block of a tensor: rows × cols, row-major.
    public func block(_ tensor: String, rows: Range<Int>, cols: Range<Int>) -> [Float] {
        let kind = TensorKind(tensor)
        let format = kind.format(quantisation)
        guard format != .fp32 else { return unrounded(tensor, kind, rows: rows, cols: cols) }
        let shape = kind.shape(config)
        let whole = format.roundWeights(unrounded(tensor, kind, rows: 0..<shape.rows, cols: 0..<shape.cols),
                                        rows: shape.rows, cols: shape.cols)
        if rows == 0..<shape.rows && cols == 0..<shape.cols { return whole }
        return rows.flatMap { row in whole[(row * shape.cols + cols.lowerBound)..<(row * shape.cols + cols.upperBound)] }
    }

    private func unrounded(_ tensor: String, _ kind: TensorKind, rows: Range<Int>, cols: Range<Int>) -> [Float] {
        let key = Self.tensorKey(seed: seed, tensor)
        let scale = kind.scale(config), offset = kind.offset
        var out = [Float]()
        out.reserveCapacity(rows.count * cols.count)
        for row in rows {
            for col in cols { out.append(scale * Self.uniform(key, row, col) + offset) }
        }
        return out
    }

    /// The whole tensor, row-major.
    public func tensor(_ tensor: String) -> [Float] {
        let shape = shape(tensor)
        return block(tensor, rows: 0..<shape.rows, cols: 0..<shape.cols)
    }

    /// (rows, cols) of a tensor the model has; (0, 0) for a name it does not have.
    public func shape(_ tensor: String) -> (rows: Int, cols: Int) {
        TensorKind(tensor).shape(config)
    }

    // MARK: hashing

    /// FNV-1a 64 of the name, mixed with the seed.
    static func tensorKey(seed: UInt64, _ name: String) -> UInt64 {
        splitMix64(FNV1a.hash(name.utf8) ^ splitMix64(seed))
    }

    /// Uniform in [-1, 1) on a 2⁻²³ grid (exact in Float), from SplitMix64 of the key and coordinates.
    static func uniform(_ key: UInt64, _ row: Int, _ col: Int) -> Float {
        let coordinates = UInt64(truncatingIfNeeded: row) << 32 | UInt64(truncatingIfNeeded: col) & 0xffff_ffff
        let bits = splitMix64(key ^ splitMix64(coordinates))
        return Float(bits >> 40) * 0x1p-23 - 1
    }

    /// SplitMix64's finaliser (Steele, Lea & Flood 2014).
    static func splitMix64(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
