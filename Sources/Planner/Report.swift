import CostModel

/// The JSON face of one evaluation. Key names are a contract that later tooling relies on
/// (`feasible`, `reason`, `strategy`, `chipsUsed`, `batch`, `ttftMs`, `tpotMs`,
/// `outputTokensPerSecond`, `outputTokensPerSecondPerChip`, `memory`).
public struct EvaluationReport: Codable, Sendable, Equatable {
    public struct StrategyFields: Codable, Sendable, Equatable {
        public var tp, pp, dp, ep: Int
        public var order: [String]
    }
    public struct TierFields: Codable, Sendable, Equatable {
        public var tier: String
        public var usedBytes, capacityBytes, weightBytes, kvCacheBytes, activationBytes, reserveBytes: Double
    }

    public var feasible: Bool
    public var reason: String?
    public var fix: String?
    public var strategy: StrategyFields
    public var chipsUsed: Int
    public var chipletsUsed: Int
    public var batch: Int
    public var stageLayers: [Int]
    public var ttftMs: Double?
    public var tpotMs: Double?
    public var outputTokensPerSecond: Double?
    public var outputTokensPerSecondPerChip: Double?
    public var outputTokensPerSecondPerRack: Double?
    public var outputTokensPerSecondPerKW: Double?
    public var tokensPerSecondPerUser: Double?
    public var computeUtilisation: Double?
    public var bandwidthUtilisation: Double?
    public var bubbleFraction: Double?
    public var communicationFraction: Double?
    public var meetsSLO: Bool?
    public var weightStationary: Bool?
    public var memory: [TierFields]
    /// Present when prefill and decode run on separate pools (`strategy` is then the decode pool).
    public var disaggregation: Disaggregation?

    public init(_ e: Evaluation) {
        let s = e.candidate.strategy, m = e.metrics
        feasible = e.feasible
        reason = e.reason
        fix = e.fix
        strategy = StrategyFields(tp: s.tp, pp: s.pp, dp: s.dp, ep: s.ep, order: s.order.map(\.rawValue))
        chipsUsed = e.chipsUsed
        chipletsUsed = e.chipletsUsed
        batch = e.candidate.batch
        stageLayers = e.stageLayers
        ttftMs = m?.ttftMs
        tpotMs = m?.tpotMs
        outputTokensPerSecond = m?.outputTokensPerSecond
        outputTokensPerSecondPerChip = m?.outputTokensPerSecondPerChip
        outputTokensPerSecondPerRack = m?.outputTokensPerSecondPerRack
        outputTokensPerSecondPerKW = m?.outputTokensPerSecondPerKW
        tokensPerSecondPerUser = m?.tokensPerSecondPerUser
        computeUtilisation = m?.computeUtilisation
        bandwidthUtilisation = m?.bandwidthUtilisation
        bubbleFraction = m?.bubbleFraction
        communicationFraction = m?.communicationFraction
        meetsSLO = m?.meetsSLO
        weightStationary = e.memory?.weightStationary
        disaggregation = e.disaggregation
        memory = (e.memory?.tiers ?? []).map {
            TierFields(tier: $0.name, usedBytes: $0.usedBytes, capacityBytes: $0.capacityBytes,
                       weightBytes: $0.weightBytes, kvCacheBytes: $0.kvCacheBytes,
                       activationBytes: $0.activationBytes, reserveBytes: $0.reserveBytes)
        }
    }
}

/// The JSON face of a search: the winner's fields at the top level (so a search and a single
/// evaluation read alike), then `candidates`, `results` (top N) and `pareto`.
public struct SearchReport: Encodable, Sendable {
    public struct Failure: Codable, Sendable { public var reason: String; public var count: Int }
    public var candidates: Int
    public var illegal: Int
    public var outOfMemory: Int
    public var missedSLO: Int
    public var searchSeconds: Double
    public var results: [EvaluationReport]
    public var pareto: [EvaluationReport]
    public var failures: [Failure]

    public init(_ r: SearchResult, seconds: Double) {
        candidates = r.candidates
        illegal = r.illegal
        outOfMemory = r.outOfMemory
        missedSLO = r.missedSLO
        searchSeconds = seconds
        results = r.ranked.map(EvaluationReport.init)
        pareto = r.pareto.map(EvaluationReport.init)
        failures = r.failures.map { Failure(reason: $0.reason, count: $0.count) }
    }

    private enum Keys: String, CodingKey {
        case feasible, reason, candidates, illegal, outOfMemory, missedSLO, searchSeconds, results, pareto, failures
    }

    public func encode(to encoder: Encoder) throws {
        if let best = results.first { try best.encode(to: encoder) }
        var c = encoder.container(keyedBy: Keys.self)
        if results.isEmpty {
            try c.encode(false, forKey: .feasible)
            let common = failures.prefix(3).map { "\($0.reason) (\($0.count))" }.joined(separator: "; ")
            try c.encode("no candidate fits and meets the SLOs; most common: \(common)", forKey: .reason)
        }
        try c.encode(candidates, forKey: .candidates)
        try c.encode(illegal, forKey: .illegal)
        try c.encode(outOfMemory, forKey: .outOfMemory)
        try c.encode(missedSLO, forKey: .missedSLO)
        try c.encode(searchSeconds, forKey: .searchSeconds)
        try c.encode(results, forKey: .results)
        try c.encode(pareto, forKey: .pareto)
        try c.encode(failures, forKey: .failures)
    }
}
