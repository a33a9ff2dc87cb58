/// One layout × workload in a line: its length buckets' best strategies combined.
public struct LayoutSummary: Sendable, Equatable {
    public var point: Int
    public var layout: String
    public var workload: String
    public var model: String
    public var strategy: String
    public var targetTokensPerSecond: Double
    public var rackPowerKW: Double
    /// nil when some bucket has no strategy within the SLOs (or the rack is over budget).
    public var tokensPerSecondPerRack: Double?
    public var tokensPerSecondPerKW: Double?
    public var usdPerMillionTokens: Double?
    public var racksNeeded: Int?
    public var computeUtilisation: Double?
    public var note: String

    public var feasible: Bool { tokensPerSecondPerRack != nil }
}

extension LayoutSummary {
    /// One summary per point, in point order. Buckets combine by their share of output tokens:
    /// racks add up, so per-rack (and per-kW) rates combine harmonically and $/token linearly.
    public static func make(_ rows: [ResultRow]) -> [LayoutSummary] {
        var byPoint: [Int: [ResultRow]] = [:]
        for r in rows { byPoint[r.point, default: []].append(r) }
        return byPoint.keys.sorted().compactMap { point in
            guard let all = byPoint[point], let first = all.first else { return nil }
            var s = LayoutSummary(point: point, layout: first.layout, workload: first.workload, model: first.model,
                                  strategy: "", targetTokensPerSecond: first.targetTokensPerSecond,
                                  rackPowerKW: first.rackPowerKW, note: "")
            let buckets = Set(all.map(\.bucket)).sorted()
            let best = buckets.compactMap { b in all.first { $0.bucket == b && $0.role == "best" } }
            guard best.count == buckets.count, !best.isEmpty else {
                s.note = all.first { $0.role != "best" && $0.role != "pareto" }?.note ?? "no strategy meets the SLOs"
                return s
            }
            let tokens = best.map { $0.share * Double($0.outputTokens) }
            let totalTokens = tokens.reduce(0, +)
            let f = tokens.map { $0 / totalTokens }
            func harmonic(_ v: (ResultRow) -> Double?) -> Double? {
                var sum = 0.0
                for (i, r) in best.enumerated() { guard let x = v(r), x > 0 else { return nil }; sum += f[i] / x }
                return 1 / sum
            }
            func linear(_ v: (ResultRow) -> Double?) -> Double? {
                var sum = 0.0
                for (i, r) in best.enumerated() { guard let x = v(r) else { return nil }; sum += f[i] * x }
                return sum
            }
            s.tokensPerSecondPerRack = harmonic(\.metrics?.outputTokensPerSecondPerRack)
            s.tokensPerSecondPerKW = harmonic(\.metrics?.outputTokensPerSecondPerKW)
            s.usdPerMillionTokens = linear(\.usdPerMillionTokens)
            s.computeUtilisation = linear(\.metrics?.computeUtilisation)
            s.racksNeeded = s.tokensPerSecondPerRack.flatMap {
                Costs.racksNeeded(load: first.targetTokensPerSecond, tokensPerSecondPerRack: $0)
            }
            var strategies: [String] = []
            for r in best where !strategies.contains(r.strategy) { strategies.append(r.strategy) }
            s.strategy = strategies.joined(separator: " + ")
            return s
        }
    }

    /// Cheapest per token first, then fewer racks, then the spec's order (so of equal layouts the
    /// plainer one, with the file's own links, wins); infeasible last.
    public static func ranked(_ summaries: [LayoutSummary]) -> [LayoutSummary] {
        summaries.sorted { a, b in
            switch (a.usdPerMillionTokens, b.usdPerMillionTokens) {
            case let (x?, y?) where x != y: return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default:
                if a.racksNeeded != b.racksNeeded { return (a.racksNeeded ?? .max) < (b.racksNeeded ?? .max) }
                return a.point < b.point
            }
        }
    }
}
