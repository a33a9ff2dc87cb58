/// A matmul whose right operand is a weight: x (…, K) · W (K, N), from MatMul, Gemm or MatMulNBits.
struct Linear {
    let node: Int
    let weight: String
    let inFeatures: Int
    let outFeatures: Int
    var bias: Bool
    /// The weight's `TensorProto.DataType`; MatMulNBits reports int4 (22) or int8 (3).
    let dataType: Int32
}

/// One attention: the fused op or the softmax of a MatMul-Softmax-MatMul pattern, with the
/// projections that feed it and the one its output feeds.
struct AttentionCore {
    /// Node index of the fused op or the softmax: layers are ordered by it.
    let position: Int
    let output: String
    var q: Int?
    var k: Int?
    var v: Int?
    var heads: Int?
    var kvHeads: Int?
    /// `[…, heads, headDim]` of the Reshape nearest the q and k projections, 0/-1 where not given.
    var qSplit: (heads: Int, headDim: Int)?
    var kSplit: (heads: Int, headDim: Int)?
    var bias = false
    var rotary = false
}

/// Finds the transformer in an indexed ONNX graph: the weight matmuls, the attention cores and
/// which projections feed them. `Recogniser+Layers.swift` assigns the rest to MLPs and builds the config.
struct Recogniser {
    let index: GraphIndex
    let file: String
    var linears: [Int: Linear] = [:]
    /// Initializers accounted for; a rank-2 float one left over is an error (a weight the IR would miss).
    var claimed: Set<String> = []
    var notes: [String] = []
    /// Rows of a rotary cos/sin cache, where the graph has one: the positions it was exported for.
    var rotaryPositions: Int?

    static let norms: Set<String> = [
        "LayerNormalization", "SimplifiedLayerNormalization", "RMSNormalization",
        "SkipLayerNormalization", "SkipSimplifiedLayerNormalization",
    ]
    /// Widths a weight matmul may have (1 to 2²²): beyond that a shape is hostile or broken, and
    /// products of such widths could overflow.
    static let plausible = 1...(1 << 22)
    static let fusedAttention: Set<String> = ["Attention", "MultiHeadAttention", "GroupQueryAttention"]

    init(index: GraphIndex, file: String) {
        self.index = index
        self.file = file
    }

    func failure(_ reason: String) -> ONNXImportError { .unrecognisedStructure(file: file, reason: reason) }

    // MARK: weight matmuls

    mutating func findLinears() {
        for (i, node) in index.nodes.enumerated() {
            var found: Linear?
            switch node.opType {
            case "MatMul":
                if let b = index.input(i, 1), let w = index.weight(b), w.dims.count == 2 {
                    found = Linear(node: i, weight: w.info.name, inFeatures: w.dims[0], outFeatures: w.dims[1],
                                   bias: false, dataType: w.info.dataType)
                }
            case "Gemm":
                if let b = index.input(i, 1), let w = index.weight(b), w.dims.count == 2 {
                    let transposed = index.int(i, "transB") == 1
                    found = Linear(node: i, weight: w.info.name, inFeatures: w.dims[transposed ? 1 : 0],
                                   outFeatures: w.dims[transposed ? 0 : 1], bias: index.input(i, 2) != nil,
                                   dataType: w.info.dataType)
                    if let c = index.input(i, 2) { claimed.insert(c) }
                }
            case "MatMulNBits":
                if let b = index.input(i, 1), let k = index.int(i, "K"), let n = index.int(i, "N") {
                    let bits = index.int(i, "bits") ?? 4
                    found = Linear(node: i, weight: b, inFeatures: k, outFeatures: n, bias: index.input(i, 5) != nil,
                                   dataType: bits == 8 ? 3 : 22)
                    for slot in 1...5 { if let t = index.input(i, slot) { claimed.insert(t) } }
                }
            default: break
            }
            guard var linear = found, Self.plausible.contains(linear.inFeatures), Self.plausible.contains(linear.outFeatures)
            else { continue }
            claimed.insert(linear.weight)
            // A bias as torch exports it: the matmul's only consumer adds a vector of N.
            if let out = node.output.first, let users = index.consumers[out], users.count == 1,
               index.nodes[users[0]].opType == "Add" {
                for t in index.nodes[users[0]].input where t != out {
                    if let info = index.tensors[t], info.dims == [linear.outFeatures], index.producer[t] == nil {
                        linear.bias = true
                        claimed.insert(t)
                    }
                }
            }
            linears[i] = linear
        }
    }

    // MARK: walks

    /// The nearest weight matmul behind `tensor`, and the deepest `[…, n, d]` Reshape on the way
    /// (the one splitting that projection into heads). Stops at norms, softmaxes and attention.
    func projection(behind tensor: String) -> (linear: Int, split: (heads: Int, headDim: Int)?)? {
        var frontier = [tensor]
        var seen: Set<Int> = []
        var split: (heads: Int, headDim: Int)?
        for _ in 0..<32 {
            var next: [String] = []
            for t in frontier {
                guard let p = index.producer[t], seen.insert(p).inserted else { continue }
                if linears[p] != nil { return (p, split) }
                let op = index.nodes[p].opType
                if Self.norms.contains(op) || Self.fusedAttention.contains(op) || op == "Softmax" || op == "Gather" {
                    continue
                }
                if op == "Reshape", let shape = index.input(p, 1).flatMap({ index.tensors[$0]?.smallInts }),
                   shape.count == 4 {
                    split = (shape[2], shape[3])
                }
                next += index.nodes[p].input.filter { !$0.isEmpty && index.tensors[$0] == nil }
            }
            if next.isEmpty { return nil }
            frontier = next
        }
        return nil
    }

    /// The first weight matmul fed by `tensor` through reshapes and transposes (the output projection).
    func projection(after tensor: String) -> Int? {
        let through: Set<String> = ["Transpose", "Reshape", "Cast", "Identity", "Squeeze", "Unsqueeze", "Flatten"]
        var frontier = [tensor]
        for _ in 0..<8 {
            var next: [String] = []
            for t in frontier {
                for c in index.consumers[t] ?? [] {
                    if linears[c] != nil { return c }
                    if through.contains(index.nodes[c].opType) { next += index.nodes[c].output }
                }
            }
            frontier = next
        }
        return nil
    }

    /// Walks one way from `tensor` through the ops in `through` to a MatMul with no weight.
    private func activationMatMul(from tensor: String, backwards: Bool, through: Set<String>) -> Int? {
        var frontier = [tensor]
        for _ in 0..<8 {
            var next: [String] = []
            for t in frontier {
                let nodes = backwards ? index.producer[t].map { [$0] } ?? [] : index.consumers[t] ?? []
                for n in nodes {
                    let op = index.nodes[n].opType
                    if op == "MatMul" && linears[n] == nil { return n }
                    if through.contains(op) {
                        next += backwards ? index.nodes[n].input.filter { index.tensors[$0] == nil } : index.nodes[n].output
                    }
                }
            }
            frontier = next
        }
        return nil
    }

    // MARK: attention

    mutating func findAttention() -> [AttentionCore] {
        var cores: [AttentionCore] = []
        for (i, node) in index.nodes.enumerated() {
            guard let out = node.output.first else { continue }
            var core = AttentionCore(position: i, output: out)
            switch (node.opType, node.domain) {
            case ("Softmax", _):
                let scoreOps: Set<String> = ["Add", "Div", "Mul", "Where", "Cast", "Sub", "Max", "Min", "Clip", "Tanh", "Identity"]
                guard let input = index.input(i, 0),
                      let score = activationMatMul(from: input, backwards: true, through: scoreOps),
                      let context = activationMatMul(from: out, backwards: false, through: ["Cast", "Dropout", "Identity"]),
                      let qT = index.input(score, 0), let kT = index.input(score, 1), let vT = index.input(context, 1),
                      let contextOut = index.nodes[context].output.first
                else { continue }
                core = AttentionCore(position: i, output: contextOut)
                let q = projection(behind: qT), k = projection(behind: kT)
                (core.q, core.qSplit) = (q?.linear, q?.split)
                (core.k, core.kSplit) = (k?.linear, k?.split)
                core.v = projection(behind: vT)?.linear
            case ("GroupQueryAttention", _):
                core.heads = index.int(i, "num_heads")
                core.kvHeads = index.int(i, "kv_num_heads")
                core.rotary = index.int(i, "do_rotary") == 1
                for slot in [7, 8] { if let t = index.input(i, slot) { claimed.insert(t) } }
                rotaryPositions = index.input(i, 7).flatMap { index.tensors[$0]?.dims.first } ?? rotaryPositions
                connect(&core, node: i)
            case ("MultiHeadAttention", _):
                core.heads = index.int(i, "num_heads")
                if let b = index.input(i, 3) { core.bias = true; claimed.insert(b) }
                connect(&core, node: i)
                if core.k == nil { core.kvHeads = core.heads }
            case ("Attention", "com.microsoft"):
                // The contrib op holds the packed QKV weight itself: the node is its own projection.
                guard let w = index.input(i, 1).flatMap(index.weight), w.dims.count == 2 else { continue }
                let sizes = index.ints(i, "qkv_hidden_sizes") ?? []
                let heads = index.int(i, "num_heads") ?? 0
                let qWidth = sizes.count == 3 ? sizes[0] : w.dims[1] / 3
                linears[i] = Linear(node: i, weight: w.info.name, inFeatures: w.dims[0], outFeatures: w.dims[1],
                                    bias: index.input(i, 2) != nil, dataType: w.info.dataType)
                claimed.insert(w.info.name)
                if let b = index.input(i, 2) { claimed.insert(b) }
                core.heads = heads
                if sizes.count == 3, heads > 0, qWidth % heads == 0, qWidth > 0 {
                    core.kvHeads = sizes[1] / (qWidth / heads)
                } else {
                    core.kvHeads = heads
                }
                (core.q, core.k, core.v) = (i, i, i)
            case ("Attention", _):
                core.heads = index.int(i, "q_num_heads")
                core.kvHeads = index.int(i, "kv_num_heads")
                connect(&core, node: i)
            case ("RotaryEmbedding", _):
                for slot in [2, 3] { if let t = index.input(i, slot) { claimed.insert(t) } }
                rotaryPositions = index.input(i, 2).flatMap { index.tensors[$0]?.dims.first } ?? rotaryPositions
                continue
            default:
                continue
            }
            cores.append(core)
        }
        return cores
    }

    /// q, k and v projections of a fused op from its first three inputs (k and v absent: packed QKV).
    private func connect(_ core: inout AttentionCore, node: Int) {
        core.q = index.input(node, 0).flatMap { projection(behind: $0)?.linear }
        core.k = index.input(node, 1).flatMap { projection(behind: $0)?.linear }
        core.v = index.input(node, 2).flatMap { projection(behind: $0)?.linear }
        if core.k == nil { (core.k, core.v) = (core.q, core.q) }
    }
}
