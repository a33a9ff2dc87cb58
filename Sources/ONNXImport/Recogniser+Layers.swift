import ModelGraph

/// The attention shape every layer shares.
struct AttentionShape: Equatable {
    var hidden: Int
    var heads: Int
    var kvHeads: Int
    var headDim: Int
    var qkvBias: Bool
    var outputBias: Bool
}

/// A layer's feed-forward block: a dense MLP, or routed experts with an optional shared expert.
struct LayerMLP: Equatable {
    struct Experts: Equatable {
        var count: Int
        var topK: Int
        var width: Int
        var gated: Bool
        var geluFamily: Bool
        var bias: Bool
    }
    /// FFN width of the dense MLP, or of the shared expert in an MoE layer; 0 for none.
    var width = 0
    var gated = false
    var geluFamily = false
    var bias = false
    var experts: Experts?
    var sharedExpertGate = false
    var routerBias = false
}

extension Recogniser {
    /// Heads, KV heads and head size of one attention, from the fused op's attributes or the
    /// Reshape that splits q (and k) into heads.
    func shape(of core: AttentionCore, layer: Int) throws(ONNXImportError) -> AttentionShape {
        guard let qNode = core.q, let q = linears[qNode], let kNode = core.k, let k = linears[kNode],
              let vNode = core.v, linears[vNode] != nil
        else { throw failure("layer \(layer): the q, k and v projections of \(index.label(core.position)) are not weight MatMuls") }
        let packed = qNode == kNode
        var heads = core.heads ?? 0
        var headDim = 0
        if heads > 0 {
            let kv = core.kvHeads ?? heads
            headDim = packed ? q.outFeatures / max(heads + 2 * kv, 1) : q.outFeatures / heads
        } else if let split = core.qSplit {
            if split.headDim > 0 { headDim = split.headDim; heads = split.heads > 0 ? split.heads : q.outFeatures / headDim }
            else if split.heads > 0 { heads = split.heads; headDim = q.outFeatures / heads }
        }
        guard Self.plausible.contains(heads), Self.plausible.contains(headDim) else {
            throw failure("layer \(layer): cannot tell the heads of \(index.label(core.position)) (no head count attribute, no Reshape into heads after q)")
        }
        let qWidth = heads * headDim
        let kWidth = packed ? (q.outFeatures - qWidth) / 2 : k.outFeatures
        let kvHeads = core.kvHeads ?? (kWidth / headDim)
        let widthsFit = packed ? qWidth + 2 * kvHeads * headDim == q.outFeatures : qWidth == q.outFeatures
        guard widthsFit, kvHeads > 0, kvHeads * headDim == kWidth, heads % kvHeads == 0
        else {
            throw failure("layer \(layer): projections q \(q.outFeatures), k \(k.outFeatures) do not fit \(heads) heads of \(headDim) with \(kvHeads) KV heads")
        }
        guard let oNode = projection(after: core.output), let o = linears[oNode], o.inFeatures == qWidth,
              o.outFeatures == q.inFeatures
        else { throw failure("layer \(layer): no output projection \(qWidth) → \(q.inFeatures) after \(index.label(core.position))") }
        return AttentionShape(hidden: q.inFeatures, heads: heads, kvHeads: kvHeads, headDim: headDim,
                              qkvBias: q.bias || core.bias, outputBias: o.bias)
    }

    /// The MLP of one layer from the weight matmuls left in it after attention (and the MoE node, if any).
    mutating func mlp(layer: Int, linears nodes: [Int], moe: [Int], hidden: Int) throws(ONNXImportError) -> LayerMLP {
        var result = LayerMLP()
        var rest = nodes
        if moe.count > 1 { throw failure("layer \(layer) has \(moe.count) MoE nodes") }
        if let m = moe.first {
            guard let w1 = index.input(m, 2).flatMap(index.weight), let w2 = index.input(m, 4).flatMap(index.weight),
                  w1.dims.count == 3, w2.dims.count == 3
            else { throw failure("layer \(layer): MoE node \(index.label(m)) has no 3-D expert weights") }
            let width = w2.dims[2] == hidden ? w2.dims[1] : w2.dims[2]
            let activation = index.string(m, "activation_type") ?? "relu"
            let gated = index.input(m, 6) != nil || activation == "swiglu"
            result.experts = LayerMLP.Experts(count: w1.dims[0], topK: index.int(m, "k") ?? 1, width: width, gated: gated,
                                              geluFamily: activation.contains("gelu"), bias: index.input(m, 3) != nil)
            for slot in 2...7 { if let t = index.input(m, slot) { claimed.insert(t) } }
            guard let router = index.input(m, 1).flatMap({ projection(behind: $0)?.linear }),
                  let r = rest.firstIndex(of: router)
            else { throw failure("layer \(layer): no router MatMul feeds \(index.label(m))") }
            result.routerBias = linears[router]?.bias ?? false
            rest.remove(at: r)
        }
        if let g = rest.firstIndex(where: { linears[$0]?.outFeatures == 1 }), result.experts != nil {
            result.sharedExpertGate = true
            rest.remove(at: g)
        }
        guard let downIndex = rest.lastIndex(where: { linears[$0]?.outFeatures == hidden }), let down = linears[rest[downIndex]] else {
            if rest.isEmpty && result.experts != nil { return result }
            throw failure("layer \(layer): no MLP down projection (→ \(hidden)) among \(describe(rest))")
        }
        rest.remove(at: downIndex)
        let width = down.inFeatures
        let ups = rest.compactMap { linears[$0] }.filter { $0.inFeatures == hidden }
        if ups.count == rest.count && ups.count == 2 && ups.allSatisfy({ $0.outFeatures == width }) {
            result.gated = true
        } else if ups.count == rest.count && ups.count == 1 && ups[0].outFeatures == 2 * width {
            result.gated = true
        } else if !(ups.count == rest.count && ups.count == 1 && ups[0].outFeatures == width) {
            throw failure("layer \(layer): MLP matmuls \(describe(rest)) before the down projection \(width) → \(hidden) are neither gate+up nor up")
        }
        let first = rest.min() ?? down.node
        let geluOps: Set<String> = ["Gelu", "FastGelu", "BiasGelu", "Erf", "Tanh"]
        result.geluFamily = (first..<down.node).contains { geluOps.contains(index.nodes[$0].opType) }
        result.width = width
        result.bias = down.bias
        return result
    }

    /// x² as Pow(x, 2) or Mul(x, x).
    private func isSquare(_ node: Int) -> Bool {
        let inputs = index.nodes[node].input
        switch index.nodes[node].opType {
        case "Pow": return inputs.count == 2 && index.scalar(inputs[1]) == 2
        case "Mul": return inputs.count == 2 && inputs[0] == inputs[1]
        default: return false
        }
    }

    func describe(_ nodes: [Int]) -> String {
        nodes.isEmpty ? "none" : nodes.compactMap { n in linears[n].map { "\(index.label(n)) (\($0.inFeatures) × \($0.outFeatures))" } }
            .joined(separator: ", ")
    }

    /// Normalisations: fused ops, or the RMSNorm / LayerNorm patterns around ReduceMean.
    func norms() -> (count: Int, rms: Int, vectors: Int, epsilon: Double?) {
        var count = 0, rms = 0, vectors = 1
        var epsilon: Double?
        for (i, node) in index.nodes.enumerated() {
            switch node.opType {
            case "SimplifiedLayerNormalization", "RMSNormalization", "SkipSimplifiedLayerNormalization":
                count += 1; rms += 1
                epsilon = epsilon ?? index.float(i, "epsilon")
            case "LayerNormalization":
                count += 1
                vectors = index.input(i, 2) == nil ? 1 : 2
                epsilon = epsilon ?? index.float(i, "epsilon")
            case "SkipLayerNormalization":
                count += 1
                vectors = index.input(i, 3) == nil ? 1 : 2
                epsilon = epsilon ?? index.float(i, "epsilon")
            case "ReduceMean":
                // mean(x²): RMSNorm, or LayerNorm's variance when x is itself x − mean(x).
                guard let x = index.input(i, 0), let p = index.producer[x], isSquare(p) else { continue }
                count += 1
                let centred = index.input(p, 0).flatMap { index.producer[$0] }.map { index.nodes[$0].opType == "Sub" } ?? false
                if centred { vectors = 2 } else { rms += 1 }
                if epsilon == nil, let out = node.output.first, let add = index.consumers[out]?.first,
                   index.nodes[add].opType == "Add" {
                    epsilon = index.nodes[add].input.compactMap { index.scalar($0) }.first
                }
            default: break
            }
        }
        return (count, rms, vectors, epsilon)
    }
}
