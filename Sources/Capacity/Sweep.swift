import ClusterSpec
import Foundation
import ModelGraph
import Planner
import Synchronization

/// One layout × workload of a sweep; `key` names it in the store.
public struct CapacityPoint: Sendable, Hashable {
    public var index: Int
    public var layoutIndex: Int
    public var workloadIndex: Int
    public var key: String
}

/// A spec with every file loaded and every layout built: `points` lists the work, `evaluate` does
/// one point. Holds no MPI: a distributed caller splits the points itself.
public final class CapacitySweep: Sendable {
    public let spec: CapacitySpec
    public let layouts: [Layout]
    let models: [ModelGraph]
    let scenarios: [Scenario]
    /// Every file the spec names (clusters, then models and scenarios), for the copy of the inputs.
    public let inputFiles: [String]
    /// The cluster files among `inputFiles`.
    public let clusterFiles: [String]
    /// Searches already run, by `searchKey`: layouts that differ only in price or power budget
    /// (or in a link of a level with one member, which no message crosses) share one search.
    private let searches = Mutex<[String: SearchResult]>([:])
    /// Evaluator memos (sharded models, stage splits, kernel costs) by `memoKey`: layouts that
    /// differ in rack count, chips per rack or links still price the same per-chip work, so a
    /// search on one starts from what the searches before it priced.
    private let memos = Mutex<[String: EvaluatorMemo]>([:])

    /// Planner searches run so far (a reuse is not counted).
    public var searchesRun: Int { searches.withLock { $0.count } }
    /// Distinct per-chip memos started so far: one per chip, precision, memory per chip and workload bucket.
    public var memosStarted: Int { memos.withLock { $0.count } }

    /// Points whose search could price more candidates than this get a note instead of a search.
    public let maxCandidates: Int

    /// Refuses a spec of more than `maxPoints` points before building any layout. `files` reads the
    /// clusters, models and scenarios the spec names; pass one `InputFiles` to several sweeps over
    /// the same files to read each once.
    public init(_ spec: CapacitySpec, maxPoints: Int = CapacitySpec.defaultMaxPoints,
                maxCandidates: Int = Evaluator.defaultMaxCandidates, files inputs: InputFiles = InputFiles()) throws {
        try spec.checkSize(maxPoints: maxPoints)
        self.spec = spec
        self.maxCandidates = maxCandidates
        var files: [String] = []
        var layouts: [Layout] = []
        for l in spec.layouts {
            let base = try inputs.cluster(l.clusterPath)
            if !files.contains(l.clusterPath) { files.append(l.clusterPath) }
            layouts += try l.expand(base: base)
        }
        self.layouts = layouts
        clusterFiles = files
        models = try spec.workloads.map { try inputs.model($0.modelPath) }
        scenarios = try spec.workloads.map { try inputs.scenario($0.scenarioPath) }
        for w in spec.workloads { files += [w.modelPath, w.scenarioPath] }
        var seen = Set<String>()
        inputFiles = files.filter { seen.insert($0).inserted }
    }

    /// Layouts outer, workloads inner: the order of the store, the CSV and the reports.
    public var points: [CapacityPoint] {
        layouts.indices.flatMap { l in
            spec.workloads.indices.map { w in
                CapacityPoint(index: l * spec.workloads.count + w, layoutIndex: l, workloadIndex: w,
                              key: "\(layouts[l].name) | \(spec.workloads[w].name)")
            }
        }
    }

    /// The workload's length buckets: its own, or the scenario's one shape.
    public func buckets(_ workloadIndex: Int) -> [LengthBucket] {
        let w = spec.workloads[workloadIndex], sc = scenarios[workloadIndex]
        return w.lengths.isEmpty ? [LengthBucket(inputTokens: sc.inputTokens, outputTokens: sc.outputTokens, share: 1)] : w.lengths
    }

    /// Output tokens/s to serve: the target, or requests/s × the share-weighted mean output length.
    public func targetTokensPerSecond(_ workloadIndex: Int) -> Double {
        let w = spec.workloads[workloadIndex]
        if let t = w.targetTokensPerSecond { return t }
        let b = buckets(workloadIndex)
        let shares = b.reduce(0) { $0 + $1.share }
        let meanOutput = b.reduce(0) { $0 + $1.share * Double($1.outputTokens) } / shares
        return (w.targetRequestsPerSecond ?? 0) * meanOutput
    }

    /// Runs the planner's search for every length bucket and keeps the best strategy within the
    /// SLOs (by tokens/s per rack) and the Pareto front. Returns how many candidates it evaluated.
    public func evaluate(_ point: CapacityPoint) -> (rows: [ResultRow], candidates: Int) {
        let layout = layouts[point.layoutIndex], w = spec.workloads[point.workloadIndex]
        var template = ResultRow(
            point: point.index, layout: layout.name, chipKind: layout.cluster.name, shape: layout.shape,
            interconnect: layout.interconnect, rackPowerBudgetKW: layout.rackPowerBudgetKW, workload: w.name,
            model: models[point.workloadIndex].name, bucket: 0, inputTokens: 0, outputTokens: 0, share: 0,
            role: "none", strategy: "", tp: 0, pp: 0, dp: 0, ep: 0, batch: 0, chipsUsed: 0,
            racks: layout.cluster.racks, chipsPerRack: layout.chipsPerRack, rackPowerKW: layout.rackPowerKW,
            targetTokensPerSecond: targetTokensPerSecond(point.workloadIndex), note: "")
        let scenario = scenarios[point.workloadIndex]
        template.mode = scenario.mode.rawValue
        template.maxTTFTMs = w.maxTTFTMs ?? scenario.maxTTFTMs
        template.maxTPOTMs = w.maxTPOTMs ?? scenario.maxTPOTMs
        template.capexPerRackUSD = layout.capexPerRackUSD
        if let budget = layout.rackPowerBudgetKW, layout.rackPowerKW > budget {
            template.role = "over-budget"
            template.note = "a rack draws \(rounded(layout.rackPowerKW)) kW, over the \(LayoutSpec.trim(budget)) kW budget"
            return ([template], 0)
        }
        var rows: [ResultRow] = [], candidates = 0
        for (i, bucket) in buckets(point.workloadIndex).enumerated() {
            var row = template
            row.bucket = i; row.inputTokens = bucket.inputTokens; row.outputTokens = bucket.outputTokens; row.share = bucket.share
            var sc = scenarios[point.workloadIndex]
            sc.inputTokens = bucket.inputTokens; sc.outputTokens = bucket.outputTokens
            if let v = w.maxTTFTMs { sc.maxTTFTMs = v }
            if let v = w.maxTPOTMs { sc.maxTPOTMs = v }
            if let p = layout.spec.precision { sc.precision = p }
            let inputs = PlanInputs(modelName: models[point.workloadIndex].name, model: models[point.workloadIndex],
                                    cluster: layout.cluster, scenario: sc)
            let memoKey = memoKey(layout, workload: point.workloadIndex, bucket: i)
            let evaluator: Evaluator
            do { evaluator = try Evaluator(inputs, memo: memos.withLock { $0[memoKey] } ?? EvaluatorMemo()) } catch {
                row.note = "\(error)"; rows.append(row); continue
            }
            var options = SearchOptions()
            options.objective = .throughputPerRack
            options.top = 1
            if let b = sc.batch { options.batches = [b] }
            let size = evaluator.searchSize(options)
            guard size <= maxCandidates else {
                row.note = "the search could price \(size) candidates, over the limit of \(maxCandidates) (raise it with --max-candidates)"
                rows.append(row); continue
            }
            let key = searchKey(layout, workload: point.workloadIndex, bucket: i)
            let result: SearchResult
            if let done = searches.withLock({ $0[key] }) {
                result = done
            } else {
                result = evaluator.search(options)
                searches.withLock { $0[key] = result }
                let grown = evaluator.memo
                memos.withLock { $0[memoKey] = grown }
            }
            // Counted on a reuse too, so totals do not depend on which rank or run did the search.
            candidates += result.candidates
            guard let best = result.ranked.first else {
                let common = result.failures.prefix(2).map { "\($0.reason) (\($0.count))" }.joined(separator: "; ")
                row.note = "no strategy fits and meets the SLOs; most common: \(common)"
                rows.append(row); continue
            }
            rows.append(fill(row, best, role: "best", layout: layout))
            for e in result.pareto where !(e.candidate == best.candidate) {
                rows.append(fill(row, e, role: "pareto", layout: layout))
            }
        }
        return (rows, candidates)
    }

    /// What the search depends on: the chip file, its precision, the shape, and the link variant
    /// when the level it replaces has more than one member; never the prices or the power budget.
    func searchKey(_ layout: Layout, workload: Int, bucket: Int) -> String {
        let link = layout.spec.interconnects.first { $0.name == layout.interconnect }
        let linkMatters = link.map { l in layout.cluster.levels.first { $0.name == l.level }.map { $0.count > 1 } ?? true } ?? false
        return [layout.spec.clusterPath, layout.spec.precision.map { "\($0)" } ?? "scenario", layout.shape,
                linkMatters ? layout.interconnect : "as-file", "\(workload)", "\(bucket)"].joined(separator: " | ")
    }

    /// What an evaluator's memo depends on: the chip file (its chip, software and host), the
    /// precision, the memory each chip sees (a tier shared by a level changes with its count), the
    /// workload and the bucket; never the level counts, links or prices themselves.
    func memoKey(_ layout: Layout, workload: Int, bucket: Int) -> String {
        [layout.spec.clusterPath, layout.spec.precision.map { "\($0)" } ?? "scenario",
         "\(layout.cluster.memoryPerChiplet)", "\(workload)", "\(bucket)"].joined(separator: " | ")
    }

    private func fill(_ template: ResultRow, _ e: Evaluation, role: String, layout: Layout) -> ResultRow {
        var r = template
        let s = e.candidate.strategy
        r.role = role; r.strategy = s.description
        if let d = e.disaggregation {
            r.prefillStrategy = d.prefill.description
            r.strategy = e.name
            r.note = String(format: "disaggregated: K/V transfer %.2f ms per request", d.kvTransferMs)
        }
        r.tp = s.tp; r.pp = s.pp; r.dp = s.dp; r.ep = s.ep; r.batch = e.candidate.batch; r.chipsUsed = e.chipsUsed
        guard let m = e.metrics else { return r }
        r.metrics = m
        // Whole racks the strategy's chips fill when packed; the rest of those racks is spare.
        r.racksUsed = max(1, (e.chipsUsed + layout.chipsPerRack - 1) / max(1, layout.chipsPerRack))
        r.spareChips = r.racksUsed * layout.chipsPerRack - e.chipsUsed
        let perRack = m.outputTokensPerSecond / Double(r.racksUsed)
        r.outputTokensPerSecondPerRackUsed = perRack
        r.usdPerMillionTokens = Costs.usdPerMillionTokens(capexPerRackUSD: layout.capexPerRackUSD,
                                                          rackPowerKW: layout.rackPowerKW,
                                                          tokensPerSecondPerRack: perRack, costs: spec.costs)
        r.racksNeeded = Costs.racksNeeded(load: r.targetTokensPerSecond, tokensPerSecondPerGroup: m.outputTokensPerSecond,
                                          racksPerGroup: r.racksUsed)
        return r
    }
}

/// 3 significant-ish decimals for messages.
func rounded(_ v: Double) -> String { String(format: "%.3g", v) }
