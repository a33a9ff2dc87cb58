import ClusterSpec
import CostModel
import ModelGraph

/// Everything a plan is made from, fixed across the candidates of one search.
public struct PlanInputs: Sendable {
    public var modelName: String
    public var model: ModelGraph
    public var cluster: ClusterSpec
    public var scenario: Scenario
    /// The serving stack; nil: the cluster's own profile.
    public var software: SoftwareProfile?
    /// Offer TP sizes that neither divide the KV heads nor are a multiple of them (serving
    /// engines cannot run those; a research study may still want them priced).
    public var allowUnevenKVHeads = false

    public init(modelName: String, model: ModelGraph, cluster: ClusterSpec, scenario: Scenario,
                software: SoftwareProfile? = nil) {
        self.modelName = modelName; self.model = model; self.cluster = cluster; self.scenario = scenario
        self.software = software
    }

    public var precision: Precision { scenario.precision }

    /// The dtype matmuls run in: the wider of weights and activations (narrower weights are
    /// up-converted on the fly, as weight-only quantisation kernels do).
    public var computeDType: DType { scenario.precision.computeDType }
}

/// One point of the search: a strategy and the batch (sequences in flight per replica).
public struct Candidate: Hashable, Sendable {
    public var strategy: Strategy
    public var batch: Int
    public init(strategy: Strategy, batch: Int) { self.strategy = strategy; self.batch = batch }
}

/// Predicted figures of a feasible candidate.
public struct Metrics: Codable, Sendable, Equatable {
    public var ttftMs: Double
    public var tpotMs: Double
    public var outputTokensPerSecond: Double
    public var outputTokensPerSecondPerChip: Double
    public var outputTokensPerSecondPerRack: Double
    public var outputTokensPerSecondPerKW: Double
    /// Decode speed one request sees: 1000 / TPOT.
    public var tokensPerSecondPerUser: Double
    public var computeUtilisation: Double
    public var bandwidthUtilisation: Double
    public var bubbleFraction: Double
    public var communicationFraction: Double
    public var meetsSLO: Bool
}

/// The verdict on one candidate. Infeasible is a value, not an error, so the search can count
/// and report it.
public struct Evaluation: Sendable {
    public var candidate: Candidate
    public var chipletsUsed: Int
    public var chipsUsed: Int
    /// Layers in each pipeline stage (empty when the strategy is illegal).
    public var stageLayers: [Int]
    public var memory: MemoryUse?
    public var metrics: Metrics?
    /// Why the candidate cannot run, and the smallest change that makes it fit.
    public var infeasibility: Infeasibility?
    /// The sentence for `infeasibility`.
    public var reason: String? { infeasibility?.description }
    public var fix: String?
    /// Set when prefill and decode run on separate pools: `candidate` is then the decode pool.
    public var disaggregation: Disaggregation?

    public var feasible: Bool { infeasibility == nil }

    /// "TP4 PP2 DP8", or "prefill TP1 PP1 DP22 | decode TP1 PP5 DP2" for separate pools.
    public var name: String {
        disaggregation.map { "prefill \($0.prefill) | decode \($0.decode)" } ?? candidate.strategy.description
    }
}
