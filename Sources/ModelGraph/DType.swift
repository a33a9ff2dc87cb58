/// Element formats for weights, activations and the KV cache.
public enum DType: String, Codable, CaseIterable, Sendable {
    case fp32, bf16, fp16, fp8, int8, fp4, int4, mxint8, mxint4

    /// Storage bits per element, block scales included.
    /// MX formats: 32-element blocks sharing one 8-bit E8M0 scale (OCP Microscaling Formats (MX)
    /// Specification v1.0, 2023), so 8 + 8/32 = 8.25 and 4 + 8/32 = 4.25. MXINT4 is not named in
    /// v1.0; it is assumed to use the same block layout. fp4 and int4 count no scale overhead.
    public var bitsPerElement: Double {
        switch self {
        case .fp32: 32
        case .bf16, .fp16: 16
        case .fp8, .int8: 8
        case .fp4, .int4: 4
        case .mxint8: 8.25
        case .mxint4: 4.25
        }
    }

    public var bytesPerElement: Double { bitsPerElement / 8 }
}

/// The dtypes of one deployment, chosen separately for weights, activations and KV cache.
public struct Precision: Codable, Sendable, Hashable {
    public var weights: DType
    public var activations: DType
    public var kvCache: DType
    /// MLP and expert weights when they differ from `weights` (which then covers attention,
    /// embedding and LM head); nil: one weight dtype for all. Set by per-layer-class precision.
    public var mlpWeights: DType?

    public init(weights: DType, activations: DType, kvCache: DType, mlpWeights: DType? = nil) {
        self.weights = weights
        self.activations = activations
        self.kvCache = kvCache
        self.mlpWeights = mlpWeights
    }

    /// The dtype an op's weights are stored in.
    public func weights(for kind: OpKind) -> DType {
        kind.isMLPWeight ? mlpWeights ?? weights : weights
    }

    /// The widest weight dtype (what a GEMM up-converts to when weights are wider than activations).
    public var widestWeights: DType {
        guard let mlp = mlpWeights, mlp.bitsPerElement > weights.bitsPerElement else { return weights }
        return mlp
    }

    /// The dtype matmuls run in: the wider of weights and activations (narrower weights are
    /// up-converted on the fly, as weight-only quantisation kernels do).
    public var computeDType: DType {
        widestWeights.bitsPerElement >= activations.bitsPerElement ? widestWeights : activations
    }

    /// One dtype for everything.
    public init(_ all: DType) { self.init(weights: all, activations: all, kvCache: all) }

    public static let bf16 = Precision(.bf16)

    /// Parses `bf16` (one dtype for all) or `weights=fp8,activations=bf16,kvCache=fp8`
    /// (short keys `w`, `a`, `kv` too; unnamed parts stay bf16).
    public init(spec: String) throws(PrecisionSpecError) {
        if let all = DType(rawValue: spec) {
            self.init(all)
            return
        }
        var result = Precision.bf16
        for part in spec.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw PrecisionSpecError(spec: spec, part: String(part)) }
            guard let dtype = DType(rawValue: pair[1]) else {
                throw PrecisionSpecError(spec: spec, part: String(part))
            }
            switch pair[0] {
            case "weights", "w": result.weights = dtype
            case "activations", "a": result.activations = dtype
            case "kvCache", "kv": result.kvCache = dtype
            default: throw PrecisionSpecError(spec: spec, part: String(part))
            }
        }
        self = result
    }
}

/// A precision string that does not parse; says which part and what is accepted.
public struct PrecisionSpecError: Error, CustomStringConvertible, Sendable {
    public let spec: String
    public let part: String
    public var description: String {
        "precision `\(spec)`: cannot read `\(part)`; expected a dtype (\(DType.allCases.map(\.rawValue).joined(separator: ", "))) "
            + "or weights=DTYPE,activations=DTYPE,kvCache=DTYPE"
    }
}
