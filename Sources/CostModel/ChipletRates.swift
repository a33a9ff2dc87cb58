import ClusterSpec
import Foundation
import ModelGraph
import Synchronization

/// What one chiplet can do per second under one serving stack: sustained matmul rates per dtype,
/// the vector rate, its memory tiers (innermost first), measured kernel tables where the chip has
/// them, and the software profile's overheads and limits.
public struct ChipletRates: Sendable {
    public struct Tier: Sendable {
        public let name: String
        public let level: String
        public let capacityBytes: Double
        public let bytesPerS: Double
    }

    public let precision: Precision
    /// The dtype GEMMs run in: the wider of weights and activations (narrower weights are
    /// up-converted on the fly, as weight-only quantisation kernels do).
    public let computeDType: DType
    /// Attention's products run in the activations' dtype, not the weights'.
    public let attentionDType: DType
    public let matmulFLOPSPerS: Double
    public let attentionFLOPSPerS: Double
    /// Dense peak of the compute dtype (utilisation is quoted against it).
    public let peakFLOPSPerS: Double
    public let vectorFLOPSPerS: Double
    /// Output tiles of a GEMM are spread over this many units (nil: no wave quantisation).
    public let computeUnits: Int?
    /// Fixed cost of one kernel group on the chip (dispatch, on-chip synchronisation).
    public let opOverheadS: Double
    public let tiers: [Tier]
    public let kernels: KernelTables?
    /// The folder `kernels` came from.
    public let kernelFolder: String?
    public let software: SoftwareProfile

    /// Tier bandwidth is the sustained figure (nominal × the file's `bandwidthEfficiency`).
    /// Throws `ClusterSpecError` when the chip has no figure for the compute dtype, or its kernel
    /// tables cannot be read.
    public init(cluster: ClusterSpec, precision: Precision, software: SoftwareProfile? = nil) throws {
        let compute = precision.computeDType
        try cluster.requireDType(compute.rawValue)
        let spec = cluster.chiplet.compute
        func rate(_ d: DType) -> Double { (spec.peakTFLOPS(d.rawValue) ?? 0) * 1e12 * spec.matmulEfficiency(d.rawValue) }
        self.precision = precision
        computeDType = compute
        // Attention runs in the activations' dtype; sub-8-bit activations (FP4 GEMMs) attend in
        // the K/V dtype, as FP8 FMHA does; a dtype the chip lacks falls back to the compute one.
        let wanted = precision.activations.bitsPerElement >= 8 ? precision.activations : precision.kvCache
        attentionDType = spec.peakTFLOPS(wanted.rawValue) != nil ? wanted
            : spec.peakTFLOPS("bf16") != nil ? .bf16 : compute
        peakFLOPSPerS = (spec.peakTFLOPS(compute.rawValue) ?? 0) * 1e12
        matmulFLOPSPerS = rate(compute)
        attentionFLOPSPerS = rate(attentionDType)
        vectorFLOPSPerS = spec.vectorTFLOPS.map { $0 * 1e12 } ?? peakFLOPSPerS * spec.vectorEfficiency
        computeUnits = spec.computeUnits
        opOverheadS = spec.opOverheadUs * 1e-6
        tiers = cluster.memoryPerChiplet.map {
            Tier(name: $0.name, level: $0.level, capacityBytes: $0.capacityBytesPerChiplet,
                 bytesPerS: $0.bandwidthGBpsPerChiplet * $0.bandwidthEfficiency * 1e9)
        }
        kernelFolder = spec.kernels
        kernels = try spec.kernels.map { try KernelTableCache.tables(at: $0, cluster: cluster.sourceFile) }
        // Host-side costs run on the cluster's own CPU.
        var sw = software ?? cluster.software
        sw.kernelLaunchUs /= cluster.hostSpeed
        sw.stepOverheadUs /= cluster.hostSpeed
        sw.requestOverheadUs /= cluster.hostSpeed
        self.software = sw
    }

    /// Roofline time of work that does `flops` while moving `bytes` through tier `tier`: the
    /// slower of compute and memory (Williams, Waterman & Patterson 2009).
    @inline(__always)
    public func rooflineS(flops: Double, matmul: Bool, bytes: Double, tier: Int) -> Double {
        let compute = flops / (matmul ? matmulFLOPSPerS : vectorFLOPSPerS)
        return max(compute, tiers.isEmpty ? 0 : bytes / bytesPerS(tier: tier))
    }
}

/// Kernel tables are read once per folder per process: a capacity sweep builds thousands of
/// evaluators over the same few clusters.
enum KernelTableCache {
    private static let loaded = Mutex<[String: KernelTables]>([:])

    static func tables(at path: String, cluster: String, keyPath: String = "chiplet.compute.kernels") throws -> KernelTables {
        if let known = loaded.withLock({ $0[path] }) { return known }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClusterSpecError(file: cluster, keyPath: keyPath,
                                   message: "expected a folder of kernel tables, got \(path), which is not one")
        }
        let tables = try KernelTables.load(directory: path)
        loaded.withLock { $0[path] = tables }
        return tables
    }
}
