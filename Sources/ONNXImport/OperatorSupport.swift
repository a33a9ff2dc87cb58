/// Which ONNX operators the importer reads, which it ignores, and which stop it.
///
/// The policy: an operator either carries the model's structure (weights, attention, norms,
/// activations), or is plumbing (shapes, casts, indexing, masks, elementwise arithmetic) that carries
/// no weights and whose cost the IR already counts in its own norm, rotary, softmax and residual ops;
/// both are accepted without a word. Anything else (Conv, Einsum, LSTM, Loop, If, a custom domain, …)
/// may hold weights or compute the IR does not model, so the import stops with one error naming
/// every such operator, how often it occurs and where.
enum OperatorSupport {
    /// Read by the recogniser. Contrib ops live in `com.microsoft` (and a few in the default domain
    /// as ONNX Runtime registers them).
    static let structural: Set<String> = [
        "MatMul", "Gemm", "MatMulNBits", "Gather", "Softmax",
        "LayerNormalization", "SimplifiedLayerNormalization", "RMSNormalization",
        "SkipLayerNormalization", "SkipSimplifiedLayerNormalization",
        "Attention", "MultiHeadAttention", "GroupQueryAttention", "RotaryEmbedding", "MoE",
        "Sigmoid", "Gelu", "FastGelu", "BiasGelu", "QuickGelu", "Erf", "Tanh", "Relu", "Sin", "Cos",
        "ReduceMean", "Pow", "Sqrt", "Reciprocal", "TopK",
    ]

    /// Weightless plumbing and arithmetic, ignored.
    static let plumbing: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Exp", "Log", "Max", "Min", "Clip", "Sign", "Floor", "Ceil",
        "Mod", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor",
        "Where", "IsNaN", "IsInf", "ReduceSum", "ReduceMax", "ReduceMin", "CumSum", "Trilu", "ArgMax",
        "ScatterND", "ScatterElements", "GatherElements", "GatherND",
        "Shape", "Size", "Cast", "CastLike", "Constant", "ConstantOfShape", "Range", "Reshape", "Transpose",
        "Unsqueeze", "Squeeze", "Expand", "Concat", "Slice", "Split", "Identity", "Flatten", "Tile",
        "Dropout", "Pad", "NonZero",
    ]

    static let domains: Set<String> = ["", "ai.onnx", "com.microsoft"]

    /// The operators outside both lists, by first occurrence, each with its count and nodes.
    static func unsupported(in index: GraphIndex) -> [UnsupportedOperator] {
        var found: [String: UnsupportedOperator] = [:]
        var order: [String] = []
        for (i, node) in index.nodes.enumerated() {
            let known = domains.contains(node.domain)
                && (structural.contains(node.opType) || plumbing.contains(node.opType))
            if known { continue }
            let op = domains.contains(node.domain) ? node.opType : "\(node.domain):\(node.opType)"
            if found[op] == nil {
                order.append(op)
                found[op] = UnsupportedOperator(op: op, count: 0, nodes: [])
            }
            found[op]?.count += 1
            found[op]?.nodes.append(index.label(i))
        }
        return order.compactMap { found[$0] }
    }
}
