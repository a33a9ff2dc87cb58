import ClusterSpec
import ModelGraph

/// `ChipletRates` as data: the figures a plan carries so that each emulator rank rebuilds the
/// same chip model the planner priced with, without the cluster file (kernel tables excepted,
/// which stay a folder the rank reads).
public struct ChipFigures: Codable, Sendable, Equatable {
    public struct Tier: Codable, Sendable, Equatable {
        public var name: String
        public var level: String
        public var capacityBytes: Double
        /// Sustained (nominal × the file's bandwidth efficiency).
        public var bandwidthGBps: Double
    }

    public var precision: Precision
    public var computeDType: DType
    public var attentionDType: DType
    public var matmulTFLOPS: Double
    public var attentionTFLOPS: Double
    public var peakTFLOPS: Double
    public var vectorTFLOPS: Double
    public var computeUnits: Int?
    public var opOverheadUs: Double
    public var tiers: [Tier]
    /// Folder of measured kernel tables, as the cluster file resolved it.
    public var kernelTables: String?
    /// The software profile's kernel-level figures.
    public var software: String
    public var kernelLaunchUs: Double
    public var cudaGraphs: Bool
    public var graphKernelUs: Double
    public var kernelEfficiency: Double
    /// false when the software's decode attention reads K/V once per query head; absent = true.
    public var groupedQueryDecode: Bool?

    /// The first figure that cannot be a chip's, as "key: what is wrong", or nil (plans are
    /// user input: a hand-edited figure is an error, never a trap or a negative time).
    public var problem: String? {
        let positive: [(String, Double)] = [("matmulTFLOPS", matmulTFLOPS), ("attentionTFLOPS", attentionTFLOPS),
                                            ("peakTFLOPS", peakTFLOPS), ("vectorTFLOPS", vectorTFLOPS),
                                            ("kernelEfficiency", kernelEfficiency)]
        for (key, v) in positive where !(v >= 1e-9 && v < 1e9) { return "\(key): expected a number from 1e-9 to 1e9, got \(v)" }
        for (key, v) in [("opOverheadUs", opOverheadUs), ("kernelLaunchUs", kernelLaunchUs), ("graphKernelUs", graphKernelUs)]
        where !(v >= 0 && v <= 1e6) {
            return "\(key): expected a number of µs from 0 to 1,000,000, got \(v)"
        }
        if let u = computeUnits, !(1...1_000_000).contains(u) { return "computeUnits: expected 1 to 1,000,000, got \(u)" }
        if tiers.isEmpty { return "tiers: expected at least one memory tier" }
        // The cluster file's span: a tier bandwidth of 1e-300 GB/s emulated to a TPOT of 6e300 ms.
        for (i, t) in tiers.enumerated() where !(t.bandwidthGBps >= 1e-9 && t.bandwidthGBps < 1e9 && (0...1e21).contains(t.capacityBytes)) {
            return "tiers[\(i)]: expected bandwidthGBps from 1e-9 to 1e9 and capacityBytes from 0 to 1e21, got \(t.bandwidthGBps) and \(t.capacityBytes)"
        }
        if kernelTables?.isEmpty == true { return "kernelTables: expected a folder or no key" }
        return nil
    }
}

extension ChipletRates {
    /// The figures of these rates, for a plan.
    public var figures: ChipFigures {
        ChipFigures(precision: precision, computeDType: computeDType, attentionDType: attentionDType,
                    matmulTFLOPS: matmulFLOPSPerS / 1e12, attentionTFLOPS: attentionFLOPSPerS / 1e12,
                    peakTFLOPS: peakFLOPSPerS / 1e12, vectorTFLOPS: vectorFLOPSPerS / 1e12,
                    computeUnits: computeUnits, opOverheadUs: opOverheadS * 1e6,
                    tiers: tiers.map { .init(name: $0.name, level: $0.level, capacityBytes: $0.capacityBytes,
                                             bandwidthGBps: $0.bytesPerS / 1e9) },
                    kernelTables: kernelFolder, software: software.name, kernelLaunchUs: software.kernelLaunchUs,
                    cudaGraphs: software.cudaGraphs, graphKernelUs: software.graphKernelUs,
                    kernelEfficiency: software.kernelEfficiency,
                    groupedQueryDecode: software.groupedQueryDecode ? nil : false)
    }

    /// The rates a plan's figures describe. Throws `ClusterSpecError` (key `chip.kernelTables`)
    /// when the kernel-table folder cannot be read.
    public init(figures f: ChipFigures, source: String) throws {
        precision = f.precision
        computeDType = f.computeDType
        attentionDType = f.attentionDType
        matmulFLOPSPerS = f.matmulTFLOPS * 1e12
        attentionFLOPSPerS = f.attentionTFLOPS * 1e12
        peakFLOPSPerS = f.peakTFLOPS * 1e12
        vectorFLOPSPerS = f.vectorTFLOPS * 1e12
        computeUnits = f.computeUnits
        opOverheadS = f.opOverheadUs * 1e-6
        tiers = f.tiers.map { Tier(name: $0.name, level: $0.level, capacityBytes: $0.capacityBytes, bytesPerS: $0.bandwidthGBps * 1e9) }
        kernelFolder = f.kernelTables
        kernels = try f.kernelTables.map { try KernelTableCache.tables(at: $0, cluster: source, keyPath: "chip.kernelTables") }
        software = SoftwareProfile(name: f.software, kernelLaunchUs: f.kernelLaunchUs, cudaGraphs: f.cudaGraphs,
                                   graphKernelUs: f.graphKernelUs, kernelEfficiency: f.kernelEfficiency,
                                   groupedQueryDecode: f.groupedQueryDecode ?? true)
    }
}
