import ClusterSpec
import CostModel
import ModelGraph

/// The plan artifact: what runs where, versioned, read by `tessera emulate` and `tessera lower`.
/// The emulator never re-plans: everything it executes is derived from this.
public struct Plan: Codable, Sendable {
    public static let schema = "tessera.plan/1"

    public struct Level: Codable, Sendable {
        public var name: String
        public var count: Int
        public var chipletsPerUnit: Int
        public var topology: String
        public var bandwidthGBps: Double
        public var latencyUs: Double
        public var overheadUs: Double
    }

    /// One op of one layer class as a chiplet of a stage runs it.
    public struct OpShard: Codable, Sendable {
        public var name: String
        public var kind: String
        public var tpDivisor: Int
        public var weightBytes: Double
        public var tiling: Tiling
        /// Predicted time of the whole op on this chiplet, for the prefill microbatch and for
        /// one decode step at the mean context.
        public var prefillSeconds: Double
        public var decodeSeconds: Double
        /// Collectives that follow this op, in order: "allReduce:tp", "allToAll:ep".
        public var collectivesAfter: [String]
    }

    public struct LayerClass: Codable, Sendable {
        public var ops: [OpShard]
        /// The kernels a serving stack launches for these ops, with their shapes per token
        /// (N, K, bytes and FLOPs per token, attention heads): what an emulator rank prices its
        /// tiles from. Each kernel's first op carries it; absent in plans written before it.
        public var kernels: [KernelGroup]?
    }

    public struct Stage: Codable, Sendable {
        public var index: Int
        public var firstLayer: Int
        public var layerCount: Int
        /// Layer class of each of its layers, in order.
        public var layerClasses: [Int]
    }

    /// Where a chiplet sits and whom it talks to.
    public struct Chiplet: Codable, Sendable {
        public var index: Int
        public var stage: Int
        public var tpRank: Int
        public var epRank: Int
        public var dpRank: Int
        /// Index of this chiplet's unit at each level (inner → outer).
        public var coordinates: [Int]
        public var tpGroup: [Int]
        public var epGroup: [Int]
        /// Routed experts this chiplet holds: `expertFirst ..< expertFirst + expertCount`
        /// (0 and 0 for dense models).
        public var expertFirst: Int
        public var expertCount: Int
        public var previousStage: Int?
        public var nextStage: Int?
    }

    /// Bytes each chiplet contributes to each communication of one layer, per phase.
    public struct Communication: Codable, Sendable {
        public var tpAllReduceBytesPrefill: Double
        public var tpAllReduceBytesDecode: Double
        public var epAllToAllBytesPrefill: Double
        public var epAllToAllBytesDecode: Double
        /// The MoE combine (the all-to-all after the experts), in 16 bits where the dispatch
        /// (`epAllToAll…`, after the router) goes in the activation format; absent in plans
        /// written before the two differed, where both are `epAllToAll…`.
        public var epCombineBytesPrefill: Double? = nil
        public var epCombineBytesDecode: Double? = nil
        public var stageSendBytesPrefill: Double
        public var stageSendBytesDecode: Double
    }

    public var schema: String
    /// The workload's name (its file name without extension).
    public var model: String
    /// The model's architecture, so numeric emulation can build weights and a reference.
    public var modelConfig: ModelConfig
    public var modelLayers: Int
    public var hiddenSize: Int
    public var cluster: String
    public var levels: [Level]
    public var scenario: Scenario
    public var strategy: Strategy
    /// How each parallel dimension spreads over the levels: for each of tp, ep, dp and pp, the
    /// number of members it uses at each level it crosses (e.g. tp: {node: 8}).
    public var mapping: [String: [String: Int]]
    public var batch: Int
    public var prefillMicrobatches: Int
    public var decodeMicrobatches: Int
    public var stages: [Stage]
    public var head: LayerClass
    public var tail: LayerClass
    public var layerClasses: [LayerClass]
    public var communication: Communication
    public var chiplets: [Chiplet]
    public var memory: MemoryUse
    public var weightStationary: Bool
    public var predicted: Metrics
    /// The serving stack's costs that sit outside the ops: absent in plans written before it.
    public var software: Software?
    /// The chip model the planner priced with (rates, tiers, kernel-table folder, the software's
    /// kernel figures), so that an emulator rank can price each tile itself; absent in old plans.
    public var chip: ChipFigures?
    /// How far apart the roles sit in the planner's ideal placement; absent in old plans.
    public var roles: Roles?
    /// Where `tessera place` bound the roles; absent: role i runs on chiplet i (the ideal).
    public var placement: Placement?
    /// The formats numeric emulation runs in, with their calibration; absent: FP32 throughout.
    public var quantisation: Quantisation? = nil
    /// Prefill on a pool of its own (`Plan+Disaggregated.swift`): this plan is then the decode
    /// pool's; absent: one pool does both.
    public var disaggregation: DisaggregatedPools? = nil

    /// What the software adds per iteration and per collective launch (not predicted times: the
    /// profile's own figures, which the emulator charges where they occur).
    public struct Software: Codable, Sendable, Equatable {
        public var name: String
        /// Once per microbatch iteration, ahead of the first stage, in series with the device.
        public var stepOverheadUs: Double
        /// Host time per microbatch iteration that an overlap scheduler spends beside the device:
        /// the host prepares the next iteration while the device runs this one, so it bounds the
        /// pace of iterations without adding to each (nil in older plans and serial profiles).
        public var overlappedStepUs: Double?
        /// Launching one collective, in prefill and in (graph-replayed) decode iterations.
        public var collectiveLaunchUsPrefill: Double
        public var collectiveLaunchUsDecode: Double
        /// Token budget of one iteration (prompt chunks plus decode tokens); nil = unlimited.
        public var maxNumTokens: Int?
        /// A hosted service's front end per request (`SoftwareProfile.frontEndMs`), which the
        /// emulator adds to each request's TTFT; nil = none.
        public var frontEndMs: Double? = nil
    }
}

extension Plan {
    /// Tiles one chiplet runs per pass of its stage, and the padding waste they carry, weighted
    /// by each op's weight bytes (the worst op is named).
    public var tilingSummary: (tiles: Int, paddingWaste: Double, worstOp: String?, worstWaste: Double) {
        var tiles = 0, useful = 0.0, padded = 0.0, worst: (String?, Double) = (nil, 0)
        let stage = stages.first
        var ops = head.ops + tail.ops
        for c in stage?.layerClasses ?? [] where c < layerClasses.count { ops += layerClasses[c].ops }
        for op in ops {
            tiles += op.tiling.tiles
            useful += op.weightBytes
            padded += op.weightBytes * (1 + op.tiling.paddingWaste)
            if op.tiling.paddingWaste > worst.1 { worst = (op.name, op.tiling.paddingWaste) }
        }
        return (tiles, useful > 0 ? padded / useful - 1 : 0, worst.0, worst.1)
    }
}

extension Plan {
    /// The cluster's hierarchy as the plan states it.
    public var hierarchy: Hierarchy {
        Hierarchy(links: levels.map {
            Hierarchy.LinkFigures(name: $0.name, count: $0.count, bandwidthGBps: $0.bandwidthGBps, latencyUs: $0.latencyUs,
                                  overheadUs: $0.overheadUs, topology: LinkTopology(rawValue: $0.topology) ?? .switch)
        })
    }
}
