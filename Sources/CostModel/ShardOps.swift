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
public struct TierChoice: Codable, Sendable, Equatable {
    public var weights: Int
    public var kvCache: Int
    public var activations: Int
    public init(weights: Int, kvCache: Int, activations: Int) {
        self.weights = weights; self.kvCache = kvCache; self.activations = activations
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

extension OpShare {
    /// Roofline cost of this op for a replica-level microbatch `work` spread over `ep` ranks.
    @inline(__always)
    public func cost(_ work: Work, ep: Int, rates: ChipletRates, tiers: TierChoice) -> OpCost {
        var c = OpCost()
        var weightRead = weightBytes
        if isRoutedExpert {
            // Tokens route evenly over experts; a decode step only reads the experts some token
            // picked: E·(1 − (1 − k/E)^T) of them in expectation.
            let tokensHere = work.tokens * Double(activePerToken * expertsHere) / Double(experts)
            c.flops = tokensHere * flopsPerToken / Double(activePerToken)
            let missed = pow(1 - Double(activePerToken) / Double(experts), work.tokens)
            weightRead *= 1 - missed
            c.bytes = weightRead + activationBytesPerToken * tokensHere / Double(activePerToken)
            let memS = weightRead / rates.tiers[tiers.weights].bytesPerS
                + (c.bytes - weightRead) / rates.tiers[tiers.activations].bytesPerS
            c.seconds = max(c.flops / (kind.isMatmul ? rates.matmulFLOPSPerS : rates.vectorFLOPSPerS), memS)
                + (c.flops > 0 ? rates.opOverheadS : 0)
            return c
        }
        let local = ep > 1 ? work.divided(by: ep) : work
        c.flops = local.tokens * flopsPerToken + local.prefillAttended * prefillFLOPsPerPosition
            + local.decodeAttended * decodeFLOPsPerPosition
        let kv = kvBytesPerPosition * local.kvPositions
        let act = activationBytesPerToken * local.tokens
        c.bytes = weightRead + kv + act
        let memS = weightRead / rates.tiers[tiers.weights].bytesPerS
            + kv / rates.tiers[tiers.kvCache].bytesPerS + act / rates.tiers[tiers.activations].bytesPerS
        c.seconds = max(c.flops / (kind.isMatmul ? rates.matmulFLOPSPerS : rates.vectorFLOPSPerS), memS)
            + (c.flops > 0 || c.bytes > 0 ? rates.opOverheadS : 0)
        return c
    }
}
