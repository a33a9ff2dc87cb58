/// One layout × workload in a line, at the workload's target load: its length buckets' best
/// strategies combined, the racks they need, and what those racks do and cost at that load.
public struct LayoutSummary: Sendable, Equatable {
    public var point: Int
    public var layout: String
    public var workload: String
    public var model: String
    public var strategy: String
    /// The batch per replica of each bucket's strategy ("64", or "64 + 16"), and the batching mode.
    public var batch: String = ""
    public var mode: String = ""
    public var targetTokensPerSecond: Double
    public var rackPowerKW: Double
    /// nil when some bucket has no strategy within the SLOs (or the rack is over budget).
    /// Over the racks the strategies occupy, counting only the chips they use.
    public var tokensPerSecondPerRack: Double?
    public var tokensPerSecondPerKW: Double?
    /// Every rack flat out: the floor of the cost per token.
    public var usdPerMillionTokens: Double?
    public var racksNeeded: Int?
    /// Chips of the occupied racks that the strategies leave idle (per group of racks).
    public var spareChips: Int = 0
    /// The planner's compute utilisation at full batch.
    public var computeUtilisation: Double?
    // At the target load, on `racksNeeded` racks:
    /// The share of the racks' capacity the target uses.
    public var loadFraction: Double?
    public var computeUtilisationAtLoad: Double?
    public var ttftP50Ms: Double?
    public var ttftP99Ms: Double?
    /// The planner's TPOT at the strategy's batch (the decode step does not queue).
    public var tpotMs: Double?
    public var kWAtLoad: Double?
    public var joulesPerToken: Double?
    public var usdPerMillionTokensAtLoad: Double?
    public var capexUSD: Double?
    public var powerUSDPerYear: Double?
    /// The highest request rate the racks serve with p99 TTFT and TPOT within the SLOs.
    public var goodputRequestsPerSecond: Double?
    public var targetRequestsPerSecond: Double = 0
    /// Racks come in whole groups of this many (the racks a strategy occupies).
    public var rackGroup: Int = 1
    /// Racks per output token/s at the goodput utilisation, before rounding to whole groups.
    public var racksPerTokenPerSecond: Double?
    public var note: String

    /// Racks for `load` output tokens/s at the same utilisation limit as at the target (0 for no load).
    public func racksNeeded(load: Double) -> Int? {
        guard let k = racksPerTokenPerSecond else { return nil }
        guard load > 0 else { return 0 }
        return max(rackGroup, Int((load * k / Double(rackGroup) - 1e-9).rounded(.up)) * rackGroup)
    }

    public var feasible: Bool { tokensPerSecondPerRack != nil }
}

extension LayoutSummary {
    /// One summary per point, in point order. Buckets combine by their share of output tokens:
    /// racks add up, so per-rack (and per-kW) rates combine harmonically and $/token linearly.
    public static func make(_ rows: [ResultRow], costs: CostSpec) -> [LayoutSummary] {
        var byPoint: [Int: [ResultRow]] = [:]
        for r in rows { byPoint[r.point, default: []].append(r) }
        return byPoint.keys.sorted().compactMap { point in
            guard let all = byPoint[point], let first = all.first else { return nil }
            var s = LayoutSummary(point: point, layout: first.layout, workload: first.workload, model: first.model,
                                  strategy: "", targetTokensPerSecond: first.targetTokensPerSecond,
                                  rackPowerKW: first.rackPowerKW, note: "")
            s.mode = first.mode
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
            s.tokensPerSecondPerRack = harmonic(\.outputTokensPerSecondPerRackUsed)
            s.tokensPerSecondPerKW = harmonic(\.metrics?.outputTokensPerSecondPerKW)
            s.usdPerMillionTokens = linear(\.usdPerMillionTokens)
            s.computeUtilisation = linear(\.metrics?.computeUtilisation)
            var strategies: [String] = [], batches: [String] = []
            for r in best where !strategies.contains(r.strategy) { strategies.append(r.strategy) }
            for r in best where !batches.contains("\(r.batch)") { batches.append("\(r.batch)") }
            s.strategy = strategies.joined(separator: " + ")
            s.batch = batches.joined(separator: " + ")
            s.spareChips = best.map(\.spareChips).max() ?? 0
            s.atLoad(best, tokenShares: f, costs: costs)
            return s
        }
    }

    /// The operating point at the target: each bucket's pool sized to its share of the tokens,
    /// every pool at the same utilisation ρ = load / capacity, racks in whole groups (the largest
    /// footprint of the buckets' strategies). A request waits for a free slot of its replica: an
    /// M/D/c queue with c = the batch and each slot held for batch ÷ the replica's request rate
    /// (Queueing). Goodput is the highest ρ at which every bucket's p99 TTFT (the planner's TTFT
    /// plus that wait) and its TPOT meet the SLOs, times the racks' capacity; racks are added until
    /// the target runs at or under that ρ.
    mutating func atLoad(_ best: [ResultRow], tokenShares f: [Double], costs: CostSpec) {
        let perGroupTokens = best.compactMap { $0.metrics?.outputTokensPerSecond }
        guard let first = best.first, perGroupTokens.count == best.count, perGroupTokens.allSatisfy({ $0 > 0 }) else { return }
        let target = targetTokensPerSecond
        // A replica's slot time: batch × (the replica's share of the group's request rate)⁻¹.
        let slotS = best.indices.map { i in
            Double(max(1, best[i].batch)) * Double(max(1, best[i].dp)) * Double(best[i].outputTokens) / perGroupTokens[i]
        }
        var maxRho = 1.0
        for (i, r) in best.enumerated() {
            guard let m = r.metrics else { continue }
            if let slo = r.maxTPOTMs, m.tpotMs > slo { maxRho = 0 }
            if let slo = r.maxTTFTMs {
                maxRho = min(maxRho, Queueing.maxUtilisation(serviceS: slotS[i], servers: max(1, r.batch),
                                                             budgetS: (slo - m.ttftMs) / 1000, quantile: 0.99))
            }
        }
        // Groups of each bucket's strategy the target keeps busy, the racks they occupy, and whole
        // groups of racks enough to stay at or under the goodput utilisation.
        let busyRacks = best.indices.reduce(0.0) { $0 + f[$1] * target / perGroupTokens[$1] * Double(best[$1].racksUsed) }
        let unit = best.map(\.racksUsed).max() ?? 1
        let allowed = maxRho > 0 ? min(1, maxRho) : 1
        rackGroup = unit
        racksPerTokenPerSecond = target > 0 ? busyRacks / allowed / target : nil
        let racks = racksNeeded(load: target).map { max($0, unit) } ?? unit
        racksNeeded = racks
        let rho = target > 0 ? busyRacks / Double(racks) : 0
        loadFraction = rho
        computeUtilisationAtLoad = computeUtilisation.map { $0 * rho }
        let kW = Double(racks) * Costs.rackKWAtLoad(rackPowerKW: rackPowerKW, loadFraction: rho, costs: costs)
        kWAtLoad = kW
        joulesPerToken = target > 0 ? kW * 1000 / target : nil
        usdPerMillionTokensAtLoad = Costs.usdPerMillionTokens(racks: racks, capexPerRackUSD: first.capexPerRackUSD,
                                                              kW: kW, load: target, costs: costs)
        capexUSD = Double(racks) * first.capexPerRackUSD
        powerUSDPerYear = Costs.powerUSDPerYear(kW: kW, costs: costs)
        // Requests/s of the target: tokens/s over the share-weighted mean output length.
        let shares = best.reduce(0) { $0 + $1.share }
        let meanOutput = best.reduce(0) { $0 + $1.share * Double($1.outputTokens) } / max(shares, 1e-12)
        targetRequestsPerSecond = target / max(meanOutput, 1e-12)
        var p50 = 0.0, p99 = 0.0, tpot = 0.0
        for (i, r) in best.enumerated() {
            guard let m = r.metrics else { continue }
            let c = max(1, r.batch)
            p50 = max(p50, m.ttftMs + 1000 * Queueing.waitQuantileS(serviceS: slotS[i], servers: c, utilisation: rho, quantile: 0.5))
            p99 = max(p99, m.ttftMs + 1000 * Queueing.waitQuantileS(serviceS: slotS[i], servers: c, utilisation: rho, quantile: 0.99))
            tpot = max(tpot, m.tpotMs)
        }
        ttftP50Ms = p50; ttftP99Ms = p99; tpotMs = tpot
        if maxRho == 0 { note = "misses the TPOT SLO" }
        goodputRequestsPerSecond = rho > 0 ? maxRho * targetRequestsPerSecond / rho : nil
    }

    /// Cheapest per token first, then fewer racks, then the spec's order (so of equal layouts the
    /// plainer one, with the file's own links, wins); infeasible last.
    public static func ranked(_ summaries: [LayoutSummary]) -> [LayoutSummary] {
        summaries.sorted { a, b in
            switch (a.usdPerMillionTokensAtLoad ?? a.usdPerMillionTokens, b.usdPerMillionTokensAtLoad ?? b.usdPerMillionTokens) {
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
