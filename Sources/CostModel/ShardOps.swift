import Foundation
import ModelGraph

/// How a replica's layers are cut over chiplets: Megatron tensor parallelism (columns then rows,
/// heads split, KV heads replicated once TP exceeds them, vocabulary split, norms sequence-split)
/// and expert parallelism (attention data-parallel over the EP ranks, routed experts split).
public struct Shard: Hashable, Sendable {
    public var tp: Int
    public var ep: Int
    public init(tp: Int, ep: Int = 1) { self.tp = tp; self.ep = ep }
}

/// One op's share on one chiplet, as per-unit coefficients so that any `Work` costs a few
/// multiply-adds in the search loop.
public struct OpShare: Sendable {
    public let name: String
    public let kind: OpKind
    public let attentionWindow: Int?
    /// Per-token K and N of one instance, before the TP split.
    public let inFeatures: Int
    public let outFeatures: Int
    /// Chiplets of the TP group the op is divided over (1: replicated on each).
    public let tpDivisor: Int
    public let flopsPerToken: Double
    public let prefillFLOPsPerPosition: Double
    public let decodeFLOPsPerPosition: Double
    /// Weights resident on this chiplet.
    public let weightBytes: Double
    /// K/V cache bytes this chiplet holds per cached position.
    public internal(set) var kvBytesPerPosition: Double
    public let activationBytesPerToken: Double
    /// Megatron row-parallel ops split K (and are followed by the all-reduce); the others split N.
    public let rowParallel: Bool
    /// Input bytes per token a GEMM reads (row-parallel ops read their K share).
    public let inputBytesPerToken: Double
    /// Routed experts in the model (1 for dense ops), on this chiplet, and used per token.
    public let experts: Int
    public let expertsHere: Int
    public let activePerToken: Int

    public var isRoutedExpert: Bool { experts > 1 }

    init(op: Op, shard: Shard, precision: Precision) {
        let divisor = OpShare.tpDivisor(op, tp: shard.tp)
        let d = Double(divisor)
        name = op.name
        kind = op.kind
        attentionWindow = op.attentionWindow
        inFeatures = op.inFeatures
        outFeatures = op.outFeatures
        tpDivisor = divisor
        experts = op.instances
        expertsHere = op.instances > 1 ? max(1, op.instances / shard.ep) : 1
        activePerToken = op.activePerToken
        let expertShare = Double(expertsHere) / Double(op.instances)
        flopsPerToken = op.flopsPerToken / d
        prefillFLOPsPerPosition = op.flopsPerContextPosition(.prefill) / d
        decodeFLOPsPerPosition = op.flopsPerContextPosition(.decode) / d
        weightBytes = op.weightBytes(precision) * expertShare / d
        kvBytesPerPosition = Double(op.cachedElementsPerToken) * precision.kvCache.bytesPerElement / d
        activationBytesPerToken = Double(op.outputElementsPerToken) * precision.activations.bytesPerElement / d
        rowParallel = [.outputProjection, .mlpDown, .expertDown, .sharedExpertDown].contains(op.kind)
        inputBytesPerToken = Double(op.inFeatures) * precision.activations.bytesPerElement / (rowParallel ? d : 1)
    }

    /// Megatron's split of each op kind over a TP group of `tp`.
    static func tpDivisor(_ op: Op, tp: Int) -> Int {
        guard tp > 1 else { return 1 }
        if let heads = op.splitExtents[.heads] { return min(tp, heads) }
        if op.splittable.contains(.ffn) || op.splittable.contains(.vocab) { return tp }
        // Vector ops run sequence-parallel (Korthikanti et al. 2022); small down-projections and
        // the router are replicated.
        if !op.kind.isMatmul && op.splittable.contains(.sequence) { return tp }
        return 1
    }
}

/// The tiers a chiplet's bytes come from (indices into `ChipletRates.tiers`).
public struct TierChoice: Codable, Sendable, Hashable {
    public var weights: Int
    public var kvCache: Int
    public var activations: Int
    /// Share of the K/V cache in tier `kvCache`; the rest overflows to the next tier out (a
    /// capacity mode, as Corsair's LPDDR behind its SRAM).
    public var kvInnerShare: Double
    public init(weights: Int, kvCache: Int, activations: Int, kvInnerShare: Double = 1) {
        self.weights = weights; self.kvCache = kvCache; self.activations = activations
        self.kvInnerShare = kvInnerShare
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weights = try c.decode(Int.self, forKey: .weights)
        kvCache = try c.decode(Int.self, forKey: .kvCache)
        activations = try c.decode(Int.self, forKey: .activations)
        kvInnerShare = try c.decodeIfPresent(Double.self, forKey: .kvInnerShare) ?? 1  // plans before the split
    }
}

/// Time and traffic of some ops on one chiplet.
public struct OpCost: Sendable {
    public var seconds = 0.0
    public var flops = 0.0
    public var bytes = 0.0
    public init() {}
    public static func += (a: inout OpCost, b: OpCost) {
        a.seconds += b.seconds; a.flops += b.flops; a.bytes += b.bytes
    }
    public static func * (a: OpCost, n: Double) -> OpCost {
        var c = a; c.seconds *= n; c.flops *= n; c.bytes *= n; return c
    }
}
