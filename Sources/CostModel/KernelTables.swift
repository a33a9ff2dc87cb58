import Foundation
import ModelGraph

public enum CollectiveKind: String, CaseIterable, Sendable {
    case allReduce = "all_reduce", allGather = "all_gather", reduceScatter = "reduce_scatter", allToAll = "all_to_all"
}

/// Measured kernel latencies of one GPU (Clusters/kernels/<chip>/, from aiconfigurator-core 0.12.0),
/// interpolated within each table's grid. A query the tables cannot answer returns nil, and the
/// caller uses the analytical model instead.
public struct KernelTables: Sendable {
    /// A head configuration of an attention table; `dtype` (of the query) is nil for decode.
    struct AttentionKey: Hashable, Sendable, CustomStringConvertible {
        var dtype: DType?
        var kvDType: DType
        var heads: Int
        var kvHeads: Int
        var headSize: Int

        var description: String {
            (dtype.map { "dtype \($0.rawValue), " } ?? "")
                + "kv_dtype \(kvDType.rawValue), heads \(heads), kv_heads \(kvHeads), head_size \(headSize)"
        }
    }

    struct CollectiveKey: Hashable, Sendable {
        var kind: CollectiveKind
        var implementation: String
        var dtype: DType
        var ranks: Int
    }

    /// A fused MoE layer's shape: hidden and (whole) expert intermediate size, experts used per
    /// token and in the model, and how the experts are split (TP inside each, EP across them).
    struct MoEKey: Hashable, Sendable, CustomStringConvertible {
        var dtype: DType
        var hidden: Int
        var inter: Int
        var topK: Int
        var experts: Int
        var tp: Int
        var ep: Int

        var description: String {
            "dtype \(dtype.rawValue), hidden \(hidden), inter \(inter), topk \(topK), experts \(experts), tp \(tp), ep \(ep)"
        }
    }

    var gemm: [DType: KernelGrid] = [:]                   // axes m, n, k
    var moe: [MoEKey: KernelGrid] = [:]                     // axis tokens
    var contextAttention: [AttentionKey: KernelGrid] = [:]  // axes batch, input_len
    var generationAttention: [AttentionKey: KernelGrid] = [:]  // axes batch, context
    var collectives: [CollectiveKey: KernelGrid] = [:]      // axis message_bytes

    /// Tables with nothing in them (every query returns nil).
    public init() {}

    /// Every number read from the tables, named by table and key: axis values, then latencies (µs).
    public var tabledValues: [(name: String, value: Double)] {
        var grids: [(String, KernelGrid)] = gemm.map { ("gemm \($0.key)", $0.value) }
        grids += moe.map { ("moe \($0.key)", $0.value) }
        grids += contextAttention.map { ("context attention \($0.key)", $0.value) }
        grids += generationAttention.map { ("generation attention \($0.key)", $0.value) }
        grids += collectives.map { ("collectives \($0.key)", $0.value) }
        return grids.flatMap { name, grid in
            grid.axes.enumerated().flatMap { d, axis in axis.map { ("\(name) axis \(d)", $0) } }
                + grid.latenciesUs.map { ("\(name) latency µs", $0) }
        }
    }

    /// The dtypes with a GEMM table, in `DType.allCases` order.
    public var dtypesWithGEMM: [DType] { DType.allCases.filter { gemm[$0] != nil } }

    /// GEMM (m × k) · (k × n) latency in seconds, or nil when the dtype has no table or n or k lies
    /// outside the table's range. Below the smallest m the smallest m's value is used (latency is
    /// flat there: the kernel streams the weights); above the largest m it scales linearly in m
    /// (compute-bound, fixed efficiency).
    public func gemmS(m: Double, n: Double, k: Double, dtype: DType) -> Double? {
        guard let grid = gemm[dtype], m.isFinite, m > 0, grid.covers(n, axis: 1), grid.covers(k, axis: 2) else { return nil }
        let (mIn, scale) = Self.flatBelowLinearAbove(m, grid, axis: 0)
        return grid.latencyUs(at: [mIn, n, k]) * scale / 1e6
    }

    /// A grouped GEMM (MoE experts): `groups` problems of m × n × k run by one kernel, priced as
    /// one GEMM of M = m, N = n · groups, K = k — the same FLOPs, the same weight traffic, each
    /// group's rows padded to tiles as its own, one launch. Past the table's largest N it grows
    /// linearly in N (each further group streams its own weights). nil as `gemmS` is.
    public func groupedGEMMS(m: Double, n: Double, k: Double, groups: Double, dtype: DType) -> Double? {
        guard let grid = gemm[dtype], groups.isFinite, groups > 0 else { return nil }
        let total = n * groups
        let (nIn, scale) = Self.flatBelowLinearAbove(total, grid, axis: 1)
        guard let t = gemmS(m: m, n: nIn, k: k, dtype: dtype) else { return nil }
        return t * scale
    }

    /// Latency in seconds of one fused MoE layer (routing, permute, the experts' grouped GEMMs,
    /// un-permute) over `tokens` tokens entering it across the EP group; nil when the shape is not
    /// tabled. Below the smallest count the smallest count's value is used; above the largest it
    /// scales linearly in tokens (every expert busy, compute-bound).
    public func moeS(tokens: Double, hidden: Int, inter: Int, topK: Int, experts: Int, tp: Int, ep: Int,
                     dtype: DType) -> Double? {
        let key = MoEKey(dtype: dtype, hidden: hidden, inter: inter, topK: topK, experts: experts, tp: tp, ep: ep)
        guard tokens.isFinite, tokens > 0, let grid = moe[key] else { return nil }
        let (x, scale) = Self.flatBelowLinearAbove(tokens, grid, axis: 0)
        return grid.latencyUs(at: [x]) * scale / 1e6
    }

    /// Prefill attention latency in seconds for `batch` sequences of `inputLength` tokens each.
    /// Batch below the table is flat, above it linear; a length below the table is flat (launch-
    /// bound), above it the longest tabled prompt scaled by the positions attended, L(L+1)/2
    /// (causal attention past the table is compute-bound at the efficiency it had reached).
    /// When (heads, kvHeads, headSize) is not tabled, the nearest configuration with the same
    /// heads : kvHeads ratio is scaled by the ratio of heads × headSize, if that ratio is within 2×
    /// (attention work is linear in heads × head size at a fixed grouping); else nil.
    public func contextAttentionS(batch: Double, inputLength: Double, heads: Int, kvHeads: Int, headSize: Int,
                                  dtype: DType, kvDType: DType) -> Double? {
        let key = AttentionKey(dtype: dtype, kvDType: kvDType, heads: heads, kvHeads: kvHeads, headSize: headSize)
        return Self.attentionS(contextAttention, key, batch: batch, length: inputLength) { $0 * ($0 + 1) }
    }

    /// Decode attention latency in seconds: one new token for each of `batch` sequences attending
    /// over `context` cached tokens. Same rules as `contextAttentionS`, except that past the table
    /// the work grows linearly in context.
    public func generationAttentionS(batch: Double, context: Double, heads: Int, kvHeads: Int, headSize: Int,
                                     kvDType: DType) -> Double? {
        let key = AttentionKey(dtype: nil, kvDType: kvDType, heads: heads, kvHeads: kvHeads, headSize: headSize)
        return Self.attentionS(generationAttention, key, batch: batch, length: context) { $0 }
    }

    /// Collective latency in seconds for `bytes` per rank, the fastest tabled implementation (and
    /// data type) for that kind and rank count; nil when `ranks` is not tabled. Below the smallest
    /// size the smallest size's value is used (latency-bound); above the largest it scales
    /// linearly in bytes (bandwidth-bound).
    public func collectiveS(_ kind: CollectiveKind, bytes: Double, ranks: Int) -> Double? {
        guard bytes.isFinite, bytes >= 0 else { return nil }
        var best: Double?
        for (key, grid) in collectives where key.kind == kind && key.ranks == ranks {
            let (x, scale) = Self.flatBelowLinearAbove(max(bytes, grid.lowest(0)), grid, axis: 0)
            let s = grid.latencyUs(at: [x]) * scale / 1e6
            best = min(best ?? s, s)
        }
        return best
    }

    /// The coordinate to look up and the factor to scale the result by: below the axis, its
    /// lowest value (factor 1); above it, its highest value and x / highest.
    static func flatBelowLinearAbove(_ x: Double, _ grid: KernelGrid, axis: Int) -> (Double, Double) {
        if x < grid.lowest(axis) { return (grid.lowest(axis), 1) }
        if x > grid.highest(axis) { return (grid.highest(axis), x / grid.highest(axis)) }
        return (x, 1)
    }

    /// `work(length)` says how the work grows with length, for lengths past the table.
    private static func attentionS(_ table: [AttentionKey: KernelGrid], _ key: AttentionKey,
                                   batch: Double, length: Double, work: (Double) -> Double) -> Double? {
        guard batch.isFinite, batch > 0, key.heads > 0, key.kvHeads > 0, key.headSize > 0,
              length.isFinite, length > 0, let (grid, workScale) = nearestConfiguration(table, key) else { return nil }
        let longest = grid.highest(1)
        let lengthScale = length > longest ? work(length) / work(longest) : 1
        let (b, batchScale) = flatBelowLinearAbove(batch, grid, axis: 0)
        return grid.latencyUs(at: [b, min(max(length, grid.lowest(1)), longest)]) * batchScale * workScale * lengthScale / 1e6
    }

    /// The exact configuration, or the one with the same dtypes and heads : kvHeads ratio whose
    /// heads × headSize is nearest (in log) and within 2×, with the factor to scale its latency by.
    private static func nearestConfiguration(_ table: [AttentionKey: KernelGrid], _ key: AttentionKey) -> (KernelGrid, Double)? {
        if let grid = table[key] { return (grid, 1) }
        let work = Double(key.heads * key.headSize)
        var best: (grid: KernelGrid, scale: Double, distance: Double, key: AttentionKey)?
        for (candidate, grid) in table where candidate.dtype == key.dtype && candidate.kvDType == key.kvDType
            && candidate.heads * key.kvHeads == key.heads * candidate.kvHeads {
            let scale = work / Double(candidate.heads * candidate.headSize)
            let distance = abs(log(scale))
            guard distance <= log(2) + 1e-12 else { continue }
            // Ties (2× above and 2× below) go to the larger configuration, then the larger head
            // size, so the choice never depends on dictionary order.
            if let b = best, distance > b.distance || (distance == b.distance
                && (candidate.heads, candidate.headSize) <= (b.key.heads, b.key.headSize)) { continue }
            best = (grid, scale, distance, candidate)
        }
        return best.map { ($0.grid, $0.scale) }
    }
}
