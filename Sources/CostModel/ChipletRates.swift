import ClusterSpec

/// What one chiplet can do per second: sustained matmul and vector FLOP rates for the compute
/// dtype, and its memory tiers (innermost first) with the capacity and bandwidth it gets of each.
public struct ChipletRates: Sendable {
    public struct Tier: Sendable {
        public let name: String
        public let level: String
        public let capacityBytes: Double
        public let bytesPerS: Double
    }

    public let computeDType: String
    public let matmulFLOPSPerS: Double
    public let vectorFLOPSPerS: Double
    /// Fixed time each op costs on top of its roofline (kernel launch, dispatch).
    public let opOverheadS: Double
    public let tiers: [Tier]

    /// Tier bandwidth is the sustained figure (nominal × the file's `bandwidthEfficiency`).
    /// Throws `ClusterSpecError` when the chip has no figure for the compute dtype.
    public init(cluster: ClusterSpec, computeDType: String) throws {
        try cluster.requireDType(computeDType)
        let peak = (cluster.chiplet.compute.peakTFLOPS(computeDType) ?? 0) * 1e12
        self.computeDType = computeDType
        matmulFLOPSPerS = peak * cluster.chiplet.compute.matmulEfficiency
        vectorFLOPSPerS = peak * cluster.chiplet.compute.vectorEfficiency
        opOverheadS = cluster.chiplet.compute.opOverheadUs * 1e-6
        tiers = cluster.memoryPerChiplet.map {
            Tier(name: $0.name, level: $0.level, capacityBytes: $0.capacityBytesPerChiplet,
                 bytesPerS: $0.bandwidthGBpsPerChiplet * $0.bandwidthEfficiency * 1e9)
        }
    }

    /// Roofline time of work that does `flops` while moving `bytes` through tier `tier`: the
    /// slower of compute and memory (Williams, Waterman & Patterson 2009).
    @inline(__always)
    public func rooflineS(flops: Double, matmul: Bool, bytes: Double, tier: Int) -> Double {
        let compute = flops / (matmul ? matmulFLOPSPerS : vectorFLOPSPerS)
        let memory = tiers.isEmpty ? 0 : bytes / tiers[min(tier, tiers.count - 1)].bytesPerS
        return max(compute, memory)
    }
}
