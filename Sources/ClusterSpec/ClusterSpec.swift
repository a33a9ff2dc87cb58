/// How the members of one level are wired together.
public enum LinkTopology: String, Sendable, CaseIterable, Encodable {
    case ring, fullMesh, `switch`, mesh2D, torus2D
}

/// The fabric that joins the members of one level (the chiplets of a package, the nodes of a rack, …).
public struct LinkSpec: Sendable, Equatable, Encodable {
    public var topology: LinkTopology
    /// Per direction, the whole of ONE member's attachment to this fabric (all its ports together):
    /// a node-level NVSwitch gives each H100 450 GB/s; an InfiniBand fabric between nodes gives each
    /// node 8 × 50 = 400 GB/s. Ring, mesh and torus members split it over their neighbour links.
    public var bandwidthGBps: Double
    /// One-way latency of a small message between two members.
    public var latencyUs: Double
    /// Fixed software/NIC cost per message, on top of latency (0 when not given).
    public var overheadUs: Double
    /// Grid shape for `mesh2D` and `torus2D` (product equals the level's count); nil otherwise.
    public var dims: [Int]?

    public init(topology: LinkTopology, bandwidthGBps: Double, latencyUs: Double,
                overheadUs: Double = 0, dims: [Int]? = nil) {
        self.topology = topology
        self.bandwidthGBps = bandwidthGBps
        self.latencyUs = latencyUs
        self.overheadUs = overheadUs
        self.dims = dims
    }

    /// Neighbour links of the best-connected member among `memberCount` (a switch port counts as one).
    public func linksPerMember(memberCount: Int) -> Int {
        guard memberCount > 1 else { return 0 }
        switch topology {
        case .switch: return 1
        case .fullMesh: return memberCount - 1
        case .ring: return memberCount == 2 ? 1 : 2
        case .mesh2D, .torus2D:
            // Along each axis: two neighbours, one when the axis has length 2, none at length 1.
            return (dims ?? [memberCount]).reduce(0) { $0 + min($1 - 1, 2) }
        }
    }

    /// Per direction, what one neighbour link carries: the member's bandwidth split over its links.
    public func perLinkBandwidthGBps(memberCount: Int) -> Double {
        bandwidthGBps / Double(max(1, linksPerMember(memberCount: memberCount)))
    }
}

/// One memory tier (SRAM, HBM, LPDDR, GDDR, …) of one unit.
public struct MemoryTierSpec: Sendable, Equatable, Encodable {
    public var name: String
    public var capacityBytes: Double
    public var bandwidthGBps: Double
    /// Sustained fraction of `bandwidthGBps` (1 when the file gives none).
    public var bandwidthEfficiency: Double

    public init(name: String, capacityBytes: Double, bandwidthGBps: Double, bandwidthEfficiency: Double = 1) {
        self.name = name
        self.capacityBytes = capacityBytes
        self.bandwidthGBps = bandwidthGBps
        self.bandwidthEfficiency = bandwidthEfficiency
    }
}

/// Compute of one chiplet.
public struct ComputeSpec: Sendable, Equatable, Encodable {
    /// Dense peak per dtype name (`bf16`, `fp8`, …; see `ClusterSpec.knownDTypes`).
    public var tflops: [String: Double]
    /// Sustained fraction of peak for large GEMMs, for dtypes without their own figure.
    public var matmulEfficiency: Double
    /// Sustained fraction of peak for large GEMMs per dtype (narrow dtypes reach less of their
    /// peak: calibration.md C, H200 BF16 0.84 against FP8 0.65 at m 4096).
    public var matmulEfficiencyByDType: [String: Double]
    /// Sustained fraction of peak for vector work (norms, softmax, activations), used when
    /// `vectorTFLOPS` is not given.
    public var vectorEfficiency: Double
    /// The vector/SFU rate (CUDA cores, vector units), separate from the matrix units.
    public var vectorTFLOPS: Double?
    /// Parallel compute units a GEMM's output tiles are spread over (SMs on a GPU), for wave
    /// quantisation; nil when the chip is not modelled that way.
    public var computeUnits: Int?
    /// Fixed cost of one kernel group on the chip itself (dispatch, on-chip synchronisation), in µs.
    public var opOverheadUs: Double
    /// Folder of measured kernel tables (see Clusters/kernels/README.md), resolved against the
    /// cluster file's folder; nil when the chip has none.
    public var kernels: String?

    public init(tflops: [String: Double], matmulEfficiency: Double, vectorEfficiency: Double, opOverheadUs: Double = 0,
                matmulEfficiencyByDType: [String: Double] = [:], vectorTFLOPS: Double? = nil,
                computeUnits: Int? = nil, kernels: String? = nil) {
        self.opOverheadUs = opOverheadUs
        self.tflops = tflops
        self.matmulEfficiency = matmulEfficiency
        self.vectorEfficiency = vectorEfficiency
        self.matmulEfficiencyByDType = matmulEfficiencyByDType
        self.vectorTFLOPS = vectorTFLOPS
        self.computeUnits = computeUnits
        self.kernels = kernels
    }

    public func peakTFLOPS(_ dtype: String) -> Double? { tflops[dtype] }

    public func matmulEfficiency(_ dtype: String) -> Double { matmulEfficiencyByDType[dtype] ?? matmulEfficiency }

    /// The dtypes with a peak figure, in the order of `ClusterSpec.knownDTypes`.
    public var supportedDTypes: [String] { ClusterSpec.knownDTypes.filter { tflops[$0] != nil } }
}

/// The innermost unit: what one MPI rank emulates.
public struct ChipletSpec: Sendable, Equatable, Encodable {
    public var name: String
    public var compute: ComputeSpec
    /// Tiers private to this chiplet, innermost (fastest) first.
    public var memory: [MemoryTierSpec]
    public var powerW: Double
    public var costUSD: Double?

    public init(name: String, compute: ComputeSpec, memory: [MemoryTierSpec], powerW: Double, costUSD: Double? = nil) {
        self.name = name
        self.compute = compute
        self.memory = memory
        self.powerW = powerW
        self.costUSD = costUSD
    }
}

/// One level of the hierarchy around the chiplet: `count` members of the level below, joined by `link`.
public struct LevelSpec: Sendable, Equatable, Encodable {
    public var name: String
    public var count: Int
    public var link: LinkSpec
    /// Tiers shared by all chiplets of one unit of this level (e.g. LPDDR per card).
    public var memory: [MemoryTierSpec]
    /// Per unit of this level, on top of its members (CPUs, switches, fans; per-rack overhead on a rack).
    public var powerW: Double
    public var costUSD: Double?

    public init(name: String, count: Int, link: LinkSpec, memory: [MemoryTierSpec] = [],
                powerW: Double = 0, costUSD: Double? = nil) {
        self.name = name
        self.count = count
        self.link = link
        self.memory = memory
        self.powerW = powerW
        self.costUSD = costUSD
    }
}

/// A machine as data: a chiplet and the levels around it, inner to outer. Load one with `load(path:)`.
public struct ClusterSpec: Sendable, Equatable {
    /// Every dtype name a cluster file may give a peak for.
    public static let knownDTypes = ["fp32", "bf16", "fp16", "fp8", "int8", "fp4", "int4", "mxint8", "mxint4"]

    public var name: String
    public var summary: String
    /// The file this was read from (used in error messages); the name for specs built in code.
    public var sourceFile: String
    public var chiplet: ChipletSpec
    /// Inner → outer; the outermost level is the whole cluster (one unit).
    public var levels: [LevelSpec]
    /// nil: a chip is one chiplet; else the index into `levels` whose one unit is one chip.
    public var chipLevel: Int?
    /// nil: the whole cluster counts as one rack; else the index into `levels` whose one unit is a rack.
    public var rackLevel: Int?
    /// The serving stack this machine runs by default (a scenario or measurement may name another).
    public var software: SoftwareProfile = .bare
    /// The host CPU that drives the chips, and its speed at the serving stack's host work (launches,
    /// scheduling, per-request bookkeeping) relative to the x86 servers software profiles are
    /// calibrated on (1). The software's host-side overheads are divided by it.
    public var hostCPU: String?
    public var hostSpeed = 1.0

    public init(name: String, summary: String = "", sourceFile: String? = nil, chiplet: ChipletSpec,
                levels: [LevelSpec], chipLevel: Int? = nil, rackLevel: Int? = nil) {
        self.name = name
        self.summary = summary
        self.sourceFile = sourceFile ?? name
        self.chiplet = chiplet
        self.levels = levels
        self.chipLevel = chipLevel
        self.rackLevel = rackLevel
    }

    /// Errors with `H100-SXM does not support fp4 (supports bf16, fp16, fp8)` unless the chiplet has a peak for `name`.
    public func requireDType(_ name: String) throws {
        guard chiplet.compute.tflops[name] == nil else { return }
        let supported = chiplet.compute.supportedDTypes.joined(separator: ", ")
        throw ClusterSpecError(file: sourceFile, keyPath: "chiplet.compute.tflops",
                               message: "\(chiplet.name) does not support \(name) (supports \(supported))")
    }

    /// Index of the level called `name`, if any.
    public func levelIndex(named name: String) -> Int? { levels.firstIndex { $0.name == name } }
}
