import ModelGraph

extension Recogniser {
    /// The whole graph as one `ModelConfig`: attention per layer, then embeddings and LM head, the
    /// MLPs of each layer, norms and positions; every rank-2 weight must have found a role.
    mutating func config() throws(ONNXImportError) -> ModelConfig {
        findLinears()
        let cores = findAttention()
        guard !cores.isEmpty else {
            throw failure("no attention found (a MatMul-Softmax-MatMul pattern, or Attention, MultiHeadAttention or GroupQueryAttention)")
        }
        let shapes = try cores.enumerated().map { layer, core throws(ONNXImportError) in try shape(of: core, layer: layer) }
        let attention = shapes[0]
        if let layer = shapes.firstIndex(where: { $0 != attention }) {
            throw failure("layer \(layer)'s attention (\(shapes[layer].heads) heads, \(shapes[layer].kvHeads) KV heads of \(shapes[layer].headDim)) differs from layer 0's (\(attention.heads), \(attention.kvHeads), \(attention.headDim))")
        }
        let hidden = attention.hidden
        var attentionNodes: Set<Int> = []
        for core in cores {
            for n in [core.q, core.k, core.v, projection(after: core.output)].compactMap({ $0 }) { attentionNodes.insert(n) }
        }

        // Embeddings: the token table (hidden wide), learned positions (a second one), rotary caches (others).
        var tables: [TensorInfo] = []
        var rotaryCache = false
        for (i, node) in index.nodes.enumerated() where node.opType == "Gather" {
            guard let w = index.input(i, 0).flatMap(index.weight), w.dims.count == 2 else { continue }
            claimed.insert(w.info.name)
            if w.dims[1] == hidden { if !tables.contains(where: { $0.name == w.info.name }) { tables.append(w.info) } }
            else { rotaryCache = true; rotaryPositions = w.dims[0] }
        }
        guard let embedding = tables.first else { throw failure("no token embedding (a Gather from a [vocab, \(hidden)] weight)") }
        let vocab = embedding.dims[0]
        let learned = tables.count > 1 ? tables[1] : nil

        // LM head: the last weight matmul hidden → vocab after the last attention.
        guard let headNode = linears.keys.filter({ n in
            n > (cores.last?.position ?? 0) && linears[n]?.inFeatures == hidden && linears[n]?.outFeatures == vocab
        }).max(), let head = linears[headNode]
        else { throw failure("no LM head (a MatMul \(hidden) → \(vocab) after the last layer)") }

        // MLPs: the weight matmuls and MoE nodes between one attention and the next belong to its layer.
        let positions = cores.map(\.position)
        func layer(of node: Int) -> Int { positions.lastIndex { $0 < node } ?? -1 }
        var perLayer = Array(repeating: [Int](), count: cores.count)
        var moePerLayer = Array(repeating: [Int](), count: cores.count)
        for n in linears.keys.sorted() where !attentionNodes.contains(n) && n != headNode {
            let l = layer(of: n)
            guard l >= 0 else { throw failure("weight MatMul \(describe([n])) comes before the first attention") }
            perLayer[l].append(n)
        }
        for (i, node) in index.nodes.enumerated() where node.opType == "MoE" {
            let l = layer(of: i)
            guard l >= 0 else { throw failure("MoE node \(index.label(i)) comes before the first attention") }
            moePerLayer[l].append(i)
        }
        var mlps: [LayerMLP] = []
        for l in cores.indices { mlps.append(try mlp(layer: l, linears: perLayer[l], moe: moePerLayer[l], hidden: hidden)) }

        var config = try assemble(attention: attention, layers: cores.count, mlps: mlps, vocab: vocab)
        config.tiedEmbeddings = head.weight == embedding.name
        config.lmHeadBias = head.bias
        try applyNorms(&config, layers: cores.count)
        if let learned {
            config.positions = .learned
            config.maxPositions = learned.dims[0]
        } else if cores.contains(where: \.rotary) || rotaryCache
                    || index.nodes.contains(where: { ["Sin", "Cos", "RotaryEmbedding"].contains($0.opType) }) {
            config.positions = .rotary
            if let rows = rotaryPositions { config.maxPositions = rows }
        } else {
            config.positions = .rotary
            notes.append("no position encoding recognised (no Sin/Cos, RotaryEmbedding or position table); assumed rotary, which has no parameters")
        }
        config.fileWeights = Self.dtype(cores[0].q.flatMap { linears[$0]?.dataType } ?? head.dataType)
        try checkWeightsClaimed()
        try checkBounds(config)
        return config
    }

    /// Sizes within what any decoder has, so the graph builder's products cannot overflow.
    private func checkBounds(_ c: ModelConfig) throws(ONNXImportError) {
        let limits: [(String, Int, ClosedRange<Int>)] = [
            ("hidden size", c.hiddenSize, 1...(1 << 18)), ("FFN width", c.intermediateSize, 1...(1 << 20)),
            ("vocabulary", c.vocabSize, 1...(1 << 22)), ("layers", c.layers, 1...(1 << 10)),
            ("experts", c.experts, 0...(1 << 11)), ("experts per token", c.expertsPerToken, 0...max(c.experts, 0)),
            ("expert FFN width", c.moeIntermediateSize, 0...(1 << 20)),
        ]
        for (what, value, range) in limits where !range.contains(value) {
            throw failure("\(what) \(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        if c.isMoE && c.expertsPerToken < 1 { throw failure("MoE with \(c.experts) experts but top-k \(c.expertsPerToken)") }
    }

    /// The config from the per-layer attention shape and MLPs, which must agree across layers.
    private func assemble(attention a: AttentionShape, layers: Int, mlps: [LayerMLP], vocab: Int) throws(ONNXImportError) -> ModelConfig {
        let dense = mlps.filter { $0.experts == nil }
        let moe = mlps.filter { $0.experts != nil }
        if let d = dense.first, let l = mlps.firstIndex(where: { $0.experts == nil && $0 != d }) {
            throw failure("layer \(l)'s MLP (FFN \(mlps[l].width)) differs from the first dense layer's (FFN \(d.width))")
        }
        if let m = moe.first, let l = mlps.firstIndex(where: { $0.experts != nil && $0 != m }) {
            throw failure("layer \(l)'s experts differ from the first MoE layer's")
        }
        let firstMoE = mlps.firstIndex { $0.experts != nil } ?? layers
        if let l = mlps[firstMoE...].firstIndex(where: { $0.experts == nil }) {
            throw failure("layer \(l) is dense after MoE layers; Tessera reads dense-first-then-MoE layer patterns only")
        }
        let experts = moe.first?.experts
        let gated = dense.first?.gated ?? experts?.gated ?? true
        let gelu = dense.first?.geluFamily ?? experts?.geluFamily ?? false
        if let e = experts, let d = dense.first, e.gated != d.gated || e.geluFamily != d.geluFamily {
            throw failure("the experts' activation differs from the dense MLP's")
        }
        let activation: Activation = gated ? (gelu ? .geglu : .swiglu) : .gelu
        var config = ModelConfig(
            modelType: "onnx", hiddenSize: a.hidden, intermediateSize: dense.first?.width ?? experts?.width ?? 0,
            layers: layers, attentionHeads: a.heads, kvHeads: a.kvHeads, headDim: a.headDim, vocabSize: vocab,
            qkvBias: a.qkvBias, outputBias: a.outputBias, mlpBias: dense.first?.bias ?? false, activation: activation,
            experts: experts?.count ?? 0, expertsPerToken: experts?.topK ?? 0, moeIntermediateSize: experts?.width,
            firstDenseLayers: experts == nil ? 0 : firstMoE, routerBias: moe.first?.routerBias ?? false)
        if let m = moe.first, m.width > 0 {
            config.sharedExperts = 1
            config.sharedExpertIntermediateSize = m.width
            config.sharedExpertGate = m.sharedExpertGate
        }
        config.expertBias = experts?.bias ?? false
        return config
    }

    /// Pre-norm blocks: one norm before attention, one before the MLP, one final.
    private func applyNorms(_ config: inout ModelConfig, layers: Int) throws(ONNXImportError) {
        let n = norms()
        guard n.count == 2 * layers + 1 else {
            throw failure("\(n.count) normalisations for \(layers) layers; Tessera reads pre-norm blocks (2 per layer and a final one, \(2 * layers + 1))")
        }
        guard n.rms == 0 || n.rms == n.count else { throw failure("a mix of RMSNorm and LayerNorm") }
        config.norm = n.rms > 0 ? .rmsNorm : .layerNorm
        config.normVectors = n.rms > 0 ? 1 : n.vectors
        if let eps = n.epsilon, eps > 0 { config.normEpsilon = eps }
    }

    /// Every rank-2 (or larger) float initializer is a weight the IR must count.
    private func checkWeightsClaimed() throws(ONNXImportError) {
        let left = index.tensors.values.filter { $0.isFloatLike && $0.dims.count >= 2 && !claimed.contains($0.name) }
            .sorted { $0.name < $1.name }
        guard left.isEmpty else {
            let shown = left.prefix(3).map { "\($0.name) \($0.dims)" }.joined(separator: ", ")
            throw failure("\(left.count) weight(s) with no recognised role: \(shown)\(left.count > 3 ? ", …" : "")")
        }
    }

    /// The weight dtype a `TensorProto.DataType` declares.
    static func dtype(_ dataType: Int32) -> DType? {
        switch dataType {
        case 1: .fp32
        case 10: .fp16
        case 16: .bf16
        case 17, 18, 19, 20: .fp8
        case 3: .int8
        case 22: .int4
        case 23: .fp4
        default: nil
        }
    }
}
