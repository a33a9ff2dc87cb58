import ClusterSpec
import ModelGraph

/// One layer's ops as one chiplet of a shard runs them, plus the collectives the layer needs.
public struct LayerShard: Sendable {
    public let ops: [OpShare]
    /// The ops as the serving stack launches them.
    public internal(set) var groups: [KernelGroup]
    public internal(set) var weightBytes: Double
    /// K/V bytes this chiplet caches per position of context.
    public let kvBytesPerPosition: Double
    /// The sliding or chunked attention window of the layer, nil when it attends everything.
    public let attentionWindow: Int?
    /// Megatron all-reduces per layer over the TP group (after attention, after the MLP).
    public let tpAllReduces: Int
    /// All-to-alls per layer over the EP group (dispatch and combine) for MoE layers.
    public let epAllToAlls: Int
    /// Routed experts each token goes to (0 for dense layers).
    public let routedTopK: Int
    /// Live activations per token at the widest op: its input and output together.
    public let peakActivationBytesPerToken: Double

    /// `tpAllReduces` overrides the count for the embedding (one) and LM head (one) pseudo-layers.
    init(ops layerOps: [Op], shard: Shard, precision: Precision, fusions: Set<SoftwareProfile.Fusion>,
         kvHeads: Int, mla: Bool, tpAllReduces: Int? = nil) {
        var shares = layerOps.map { OpShare(op: $0, shard: shard, precision: precision) }
        // The K/V cache is written by the k/v projections but read by attention: charge the
        // reads to the score product, where a decode step actually streams them.
        let kv = shares.reduce(0) { $0 + $1.kvBytesPerPosition }
        if let score = shares.firstIndex(where: { $0.kind == .attentionScore }) {
            for i in shares.indices { shares[i].kvBytesPerPosition = i == score ? kv : 0 }
        }
        ops = shares
        groups = KernelGroup.build(shares, fusions: fusions, kvHeads: kvHeads, mla: mla)
        peakActivationBytesPerToken = 2 * (shares.map { $0.activationBytesPerToken * Double(max($0.activePerToken, 1)) }.max() ?? 0)
        weightBytes = shares.reduce(0) { $0 + $1.weightBytes }
        kvBytesPerPosition = kv
        attentionWindow = layerOps.lazy.compactMap(\.attentionWindow).first
        let routed = layerOps.first { $0.instances > 1 }
        routedTopK = routed?.activePerToken ?? 0
        self.tpAllReduces = shard.tp > 1 ? (tpAllReduces ?? 2) : 0
        epAllToAlls = shard.ep > 1 && routed != nil ? 2 : 0
    }

    /// K/V bytes this chiplet caches for one sequence of `context` positions: a windowed layer
    /// keeps only its window.
    @inline(__always)
    public func kvBytes(context: Double) -> Double {
        kvBytesPerPosition * (attentionWindow.map { min(context, Double($0)) } ?? context)
    }

    /// Cost of the layer's kernels (collectives excluded) for a replica microbatch.
    @inline(__always)
    public func computeCost(_ work: Work, ep: Int, rates: ChipletRates, tiers: TierChoice) -> OpCost {
        var total = OpCost()
        for g in groups { total += g.cost(work, ep: ep, rates: rates, tiers: tiers) }
        return total
    }
}

/// A whole model cut by one `Shard`: each distinct layer shape costed once (dense models have
/// one, DeepSeek-style MoE two), the embedding before and the final norm and LM head after.
public struct ModelShard: Sendable {
    public let shard: Shard
    public internal(set) var classes: [LayerShard]
    /// Index into `classes` for each layer, in order.
    public let layerClass: [Int]
    public internal(set) var head: LayerShard
    public internal(set) var tail: LayerShard
    /// Bytes per token of the hidden state that all-reduces, MoE combines and pipeline sends
    /// carry: the residual stream and GEMM outputs stay in 16 bits (or wider) whatever the
    /// activation format, which quantises only a GEMM's input.
    public let hiddenBytesPerToken: Double
    /// Bytes per token of the MoE dispatch: tokens go to their experts already quantised to the
    /// activation format (their next use is the expert GEMM's input).
    public let dispatchBytesPerToken: Double

    public init(model: ModelGraph, shard: Shard, precision: Precision,
                fusions: Set<SoftwareProfile.Fusion> = Set(SoftwareProfile.Fusion.allCases)) {
        let kvHeads = model.config.kvHeads, mla = model.config.mla != nil
        self.shard = shard
        var signatures: [String: Int] = [:]
        var classes: [LayerShard] = []
        var layerClass: [Int] = []
        for layer in 0..<model.layerCount {
            let ops = model.ops(inLayer: layer)
            let signature = ops.map { "\($0.kind.rawValue)/\($0.parameters)/\($0.instances)/\($0.attentionWindow ?? 0)" }.joined(separator: ",")
            if let known = signatures[signature] {
                layerClass.append(known)
            } else {
                signatures[signature] = classes.count
                layerClass.append(classes.count)
                classes.append(LayerShard(ops: ops, shard: shard, precision: precision, fusions: fusions,
                                          kvHeads: kvHeads, mla: mla))
            }
        }
        self.classes = classes
        self.layerClass = layerClass
        let outside = model.ops.filter { $0.layer == nil }
        head = LayerShard(ops: outside.filter { $0.kind == .embedding || $0.kind == .positionEmbedding },
                          shard: Shard(tp: shard.tp, ep: 1), precision: precision, fusions: fusions,
                          kvHeads: kvHeads, mla: mla, tpAllReduces: 1)
        tail = LayerShard(ops: outside.filter { $0.kind == .finalNorm || $0.kind == .lmHead },
                          shard: Shard(tp: shard.tp, ep: 1), precision: precision, fusions: fusions,
                          kvHeads: kvHeads, mla: mla, tpAllReduces: 1)
        hiddenBytesPerToken = Double(model.config.hiddenSize) * max(2, precision.activations.bytesPerElement)
        dispatchBytesPerToken = Double(model.config.hiddenSize) * precision.activations.bytesPerElement
    }

    public func layer(_ index: Int) -> LayerShard { classes[layerClass[index]] }

    /// The same shard launched as other kernels (a compiler pipeline's output): head, tail and
    /// one list per class. Weight bytes follow the kernels (a folded constant leaves them).
    public func replacingKernels(head h: [KernelGroup], tail t: [KernelGroup], classes c: [[KernelGroup]]) -> ModelShard {
        var out = self
        out.head = head.replacingKernels(h)
        out.tail = tail.replacingKernels(t)
        out.classes = zip(classes, c).map { $0.replacingKernels($1) }
        return out
    }
}

extension LayerShard {
    func replacingKernels(_ g: [KernelGroup]) -> LayerShard {
        var out = self
        let before = groups.reduce(0) { $0 + $1.weightBytes }, after = g.reduce(0) { $0 + $1.weightBytes }
        out.groups = g
        out.weightBytes += after - before
        return out
    }
}
