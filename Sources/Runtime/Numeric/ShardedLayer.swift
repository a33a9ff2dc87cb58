import ModelGraph

/// One decoder layer as a TP × EP rank holds it: its weight shards, built once, and its partial
/// outputs. Summing `attentionPartial` over the TP ranks (in any order) gives the layer's attention
/// output before the residual add; summing `mlpPartial` over all TP × EP ranks gives the MLP output.
/// Every rank receives the full hidden input (tokens × hidden) and keeps a KV cache of its KV heads.
public struct ShardedLayer: Sendable {
    public let config: ModelConfig
    public let layer: Int
    public let queryHeads: Range<Int>
    public let kvHeads: Range<Int>
    public let experts: Range<Int>
    let inputNorm: Norm, postNorm: Norm
    let q, k, v, o: [Float]
    let router: [Float]
    /// Dense MLP (one entry) or the local experts, each sliced by TP.
    let mlps: [MLPShard]
    /// Activation and K/V formats (weights arrive already rounded from `TinyWeights`).
    let rounding: PointRounding

    public init(weights: TinyWeights, layer: Int, tpRank: Int = 0, tpSize: Int = 1, epRank: Int = 0, epSize: Int = 1) {
        let config = weights.config
        self.config = config
        self.layer = layer
        rounding = PointRounding(layer: layer, quantisation: weights.quantisation)
        func shard(_ suffix: String) -> [Float] {
            Shards.block(of: TensorName.layer(layer, suffix), weights: weights, tp: tpSize, rank: tpRank)
        }
        queryHeads = Shards.queryHeads(config, tp: tpSize, rank: tpRank)
        kvHeads = Shards.kvHeads(config, tp: tpSize, rank: tpRank)
        inputNorm = Norm(weights: weights, name: TensorName.layer(layer, "input_layernorm"))
        postNorm = Norm(weights: weights, name: TensorName.layer(layer, "post_attention_layernorm"))
        q = shard("attn.q_proj")
        k = shard("attn.k_proj")
        v = shard("attn.v_proj")
        o = shard("attn.o_proj")
        if config.isMoELayer(layer) {
            experts = Shards.experts(config, ep: epSize, rank: epRank)
            router = weights.tensor(TensorName.layer(layer, "mlp.gate"))
            mlps = experts.map { expert in
                MLPShard(weights: weights, tp: tpSize, rank: tpRank) { TensorName.expert(layer: layer, expert: expert, $0) }
            }
        } else {
            experts = 0..<0
            router = []
            // A dense MLP is not expert-parallel: only EP rank 0 contributes it, so the EP sum stays exact.
            mlps = epRank == 0 ? [MLPShard(weights: weights, tp: tpSize, rank: tpRank) { TensorName.layer(layer, "mlp." + $0) }] : []
        }
    }

    /// This rank's share of the attention output for `tokens` new rows of one sequence; appends
    /// their K and V (rotated, at positions `cache.positions...`) to `cache`.
    public func attentionPartial(_ hidden: [Float], tokens: Int, cache: inout KVCache,
                                 recorder: AbsMaxRecorder? = nil) -> [Float] {
        let headDim = config.headDim, width = config.hiddenSize
        let x = rounding.activation(inputNorm.apply(hidden), width: width, "attn.in", recorder: recorder)
        var queries = Kernels.matmul(x, q, m: tokens, k: width, n: queryHeads.count * headDim)
        var keys = Kernels.matmul(x, k, m: tokens, k: width, n: kvHeads.count * headDim)
        let values = Kernels.matmul(x, v, m: tokens, k: width, n: kvHeads.count * headDim)
        let offset = cache.positions
        Kernels.rotary(&queries, tokens: tokens, heads: queryHeads.count, headDim: headDim, positionOffset: offset)
        Kernels.rotary(&keys, tokens: tokens, heads: kvHeads.count, headDim: headDim, positionOffset: offset)
        cache.append(keys: rounding.kv(keys, headDim: headDim, "kv.k", recorder: recorder),
                     values: rounding.kv(values, headDim: headDim, "kv.v", recorder: recorder))
        let attended = Kernels.attention(q: queries, tokens: tokens, queryHeads: queryHeads, keys: cache.keys,
                                        values: cache.values, positions: cache.positions, kvHeads: kvHeads,
                                        headDim: headDim, groupSize: config.attentionHeads / config.kvHeads)
        let context = rounding.activation(attended, width: queryHeads.count * headDim, "attn.o_in", recorder: recorder)
        return Kernels.matmul(context, o, m: tokens, k: queryHeads.count * headDim, n: width)
    }

    /// An empty KV cache sized for this rank's KV heads.
    public func makeCache() -> KVCache { KVCache(width: kvHeads.count * config.headDim) }

    /// Mixtral routing of `tokens` rows (computed on the normed input; every rank computes the same).
    public func routing(_ hidden: [Float], tokens: Int) -> [[ExpertChoice]] {
        let logits = Kernels.matmul(postNorm.apply(hidden), router, m: tokens, k: config.hiddenSize, n: config.experts)
        return Kernels.routeTopK(logits, experts: config.experts, k: config.expertsPerToken)
    }

    /// This rank's share of the MLP output: its TP slice of the dense MLP, or of its local experts,
    /// each weighted by the router and added in ascending expert order.
    /// Routing reads the unrounded normed input, so a format never changes which experts run.
    public func mlpPartial(_ hidden: [Float], tokens: Int, recorder: AbsMaxRecorder? = nil) -> [Float] {
        let width = config.hiddenSize
        let x = rounding.activation(postNorm.apply(hidden), width: width, "mlp.in", recorder: recorder)
        let roundDown = { (a: [Float], ffn: Int) in
            rounding.activation(a, width: ffn, "mlp.down_in", recorder: recorder)
        }
        guard config.isMoELayer(layer) else {
            return mlps.first.map { $0.apply(x, tokens: tokens, activation: config.activation, roundDown: roundDown) }
                ?? [Float](repeating: 0, count: tokens * width)
        }
        let choices = routing(hidden, tokens: tokens)
        var out = [Float](repeating: 0, count: tokens * width)
        for (local, expert) in experts.enumerated() {
            let routed = (0..<tokens).compactMap { t in choices[t].first { $0.expert == expert }.map { (t, $0.weight) } }
            if routed.isEmpty { continue }
            let rows = routed.flatMap { x[($0.0 * width)..<(($0.0 + 1) * width)] }
            let y = mlps[local].apply(rows, tokens: routed.count, activation: config.activation, roundDown: roundDown)
            for (i, (t, weight)) in routed.enumerated() {
                for j in 0..<width { out[t * width + j] += weight * y[i * width + j] }
            }
        }
        return out
    }
}

/// A norm's weight (and LayerNorm bias), replicated on every rank.
struct Norm: Sendable {
    let kind: NormKind
    let weight: [Float], bias: [Float]

    init(weights: TinyWeights, name: String) {
        kind = weights.config.norm
        weight = weights.tensor(name)
        bias = kind == .layerNorm ? weights.tensor(name + ".bias") : []
    }

    func apply(_ x: [Float]) -> [Float] {
        kind == .rmsNorm ? Kernels.rmsNorm(x, weight: weight) : Kernels.layerNorm(x, weight: weight, bias: bias)
    }
}

/// One MLP's TP slice: gate/up columns and down rows (SwiGLU), or up and down (GELU).
struct MLPShard: Sendable {
    let gate, up, down: [Float]
    let hidden, ffn: Int

    init(weights: TinyWeights, tp: Int, rank: Int, name: (String) -> String) {
        let config = weights.config
        hidden = config.hiddenSize
        gate = config.activation == .swiglu ? Shards.block(of: name("gate_proj"), weights: weights, tp: tp, rank: rank) : []
        up = Shards.block(of: name("up_proj"), weights: weights, tp: tp, rank: rank)
        down = Shards.block(of: name("down_proj"), weights: weights, tp: tp, rank: rank)
        ffn = up.count / max(hidden, 1)
    }

    /// `roundDown` rounds the down projection's input (tokens × ffn) into the activation format.
    func apply(_ x: [Float], tokens: Int, activation: Activation, roundDown: ([Float], Int) -> [Float]) -> [Float] {
        let upOut = Kernels.matmul(x, up, m: tokens, k: hidden, n: ffn)
        let act = activation == .swiglu
            ? Kernels.swiglu(gate: Kernels.matmul(x, gate, m: tokens, k: hidden, n: ffn), up: upOut)
            : Kernels.gelu(upOut)
        return Kernels.matmul(roundDown(act, ffn), down, m: tokens, k: ffn, n: hidden)
    }
}
