import ModelGraph

/// A capacity question as data: which workloads at what load, which layouts to sweep, what things
/// cost. Paths inside are resolved against the spec file's folder when it is loaded.
public struct CapacitySpec: Sendable, Equatable {
    public var name: String
    public var summary: String
    /// The file this was read from ("built-in" for the default spec).
    public var sourceFile: String
    public var workloads: [WorkloadSpec]
    public var layouts: [LayoutSpec]
    public var costs: CostSpec
    /// The YAML text the spec was read from (copied into the results as the exact input).
    public var yaml: String

    public init(name: String, summary: String = "", sourceFile: String, workloads: [WorkloadSpec],
                layouts: [LayoutSpec], costs: CostSpec, yaml: String = "") {
        self.name = name; self.summary = summary; self.sourceFile = sourceFile; self.yaml = yaml
        self.workloads = workloads; self.layouts = layouts; self.costs = costs
    }
}

/// One request shape of a workload's length distribution, with its share of the requests.
public struct LengthBucket: Sendable, Equatable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var share: Double
    public init(inputTokens: Int, outputTokens: Int, share: Double) {
        self.inputTokens = inputTokens; self.outputTokens = outputTokens; self.share = share
    }
}

/// What must be served: a model, a scenario (batching, SLOs, dtypes), the lengths and the load.
public struct WorkloadSpec: Sendable, Equatable {
    public var name: String
    /// Path of the HF config.json-shaped model file.
    public var modelPath: String
    /// Path of the scenario file (Workloads/scenarios/*.json).
    public var scenarioPath: String
    /// Request lengths; empty means the scenario's one shape.
    public var lengths: [LengthBucket]
    /// The load: output tokens per second, or requests per second (exactly one is set).
    public var targetTokensPerSecond: Double?
    public var targetRequestsPerSecond: Double?
    public var maxTTFTMs: Double?
    public var maxTPOTMs: Double?

    public init(name: String, modelPath: String, scenarioPath: String, lengths: [LengthBucket] = [],
                targetTokensPerSecond: Double? = nil, targetRequestsPerSecond: Double? = nil,
                maxTTFTMs: Double? = nil, maxTPOTMs: Double? = nil) {
        self.name = name; self.modelPath = modelPath; self.scenarioPath = scenarioPath; self.lengths = lengths
        self.targetTokensPerSecond = targetTokensPerSecond; self.targetRequestsPerSecond = targetRequestsPerSecond
        self.maxTTFTMs = maxTTFTMs; self.maxTPOTMs = maxTPOTMs
    }
}

/// A replacement for one level's link, e.g. a faster scale-out network.
public struct InterconnectChoice: Sendable, Equatable {
    public var name: String
    public var level: String
    public var bandwidthGBps: Double?
    public var latencyUs: Double?
    public init(name: String, level: String, bandwidthGBps: Double? = nil, latencyUs: Double? = nil) {
        self.name = name; self.level = level; self.bandwidthGBps = bandwidthGBps; self.latencyUs = latencyUs
    }
}

/// One chip kind (a Clusters/ file) and the shapes, links and power budgets to sweep it over.
public struct LayoutSpec: Sendable, Equatable {
    public var name: String
    public var clusterPath: String
    /// Level name → counts to try (chips per node, nodes per rack, racks, …); absent levels keep the file's count.
    public var levelCounts: [(level: String, counts: [Int])]
    /// Link variants besides the file's own links.
    public var interconnects: [InterconnectChoice]
    /// Rack power budgets to try; a layout whose rack draws more is reported as over budget.
    public var rackPowerBudgetsKW: [Double]
    public var capexPerChipUSD: Double
    public var capexPerRackUSD: Double
    /// The number formats this chip kind runs the model in, replacing the scenario's (an SRAM
    /// machine may serve in int8 or MX formats where a GPU serves bf16); nil keeps the scenario's.
    public var precision: Precision?

    public init(name: String, clusterPath: String, levelCounts: [(level: String, counts: [Int])] = [],
                interconnects: [InterconnectChoice] = [], rackPowerBudgetsKW: [Double] = [],
                capexPerChipUSD: Double, capexPerRackUSD: Double = 0, precision: Precision? = nil) {
        self.precision = precision
        self.name = name; self.clusterPath = clusterPath; self.levelCounts = levelCounts
        self.interconnects = interconnects; self.rackPowerBudgetsKW = rackPowerBudgetsKW
        self.capexPerChipUSD = capexPerChipUSD; self.capexPerRackUSD = capexPerRackUSD
    }

    public static func == (a: LayoutSpec, b: LayoutSpec) -> Bool {
        a.name == b.name && a.clusterPath == b.clusterPath && a.interconnects == b.interconnects
            && a.rackPowerBudgetsKW == b.rackPowerBudgetsKW && a.capexPerChipUSD == b.capexPerChipUSD
            && a.capexPerRackUSD == b.capexPerRackUSD && a.precision == b.precision
            && a.levelCounts.map(\.level) == b.levelCounts.map(\.level)
            && a.levelCounts.map(\.counts) == b.levelCounts.map(\.counts)
    }
}

/// Prices shared by every layout.
public struct CostSpec: Sendable, Equatable {
    public var powerUSDPerKWh: Double
    public var amortisationYears: Double
    /// The share of a rack's full power it draws idle (the report's power at load is linear
    /// between this and full power). Default assumed: 0.3, the order of GPU idle-to-TDP ratios.
    public var idlePowerFraction: Double
    public static let defaultIdlePowerFraction = 0.3
    public init(powerUSDPerKWh: Double, amortisationYears: Double, idlePowerFraction: Double = CostSpec.defaultIdlePowerFraction) {
        self.powerUSDPerKWh = powerUSDPerKWh; self.amortisationYears = amortisationYears
        self.idlePowerFraction = idlePowerFraction
    }
}

/// A spec file that cannot be used: names the file, the key path and what was expected.
public struct CapacityError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var keyPath: String
    public var message: String
    public init(file: String, keyPath: String, message: String) {
        self.file = file; self.keyPath = keyPath; self.message = message
    }
    public var description: String { keyPath.isEmpty ? "\(file): \(message)" : "\(file): \(keyPath): \(message)" }
}
