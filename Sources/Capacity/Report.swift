import Foundation
import SafeOutput

/// Writes the results folder: results.csv, report.md, report.html, plots/ and inputs/ (the exact
/// files used). Every file is written to a temporary name and renamed into place.
public struct CapacityReport {
    public let sweep: CapacitySweep
    public let rows: [ResultRow]
    public let summaries: [LayoutSummary]
    public let candidates: Int

    public init(sweep: CapacitySweep, rows: [ResultRow], candidates: Int) {
        self.sweep = sweep; self.rows = rows; self.candidates = candidates
        summaries = LayoutSummary.make(rows, costs: sweep.spec.costs)
    }

    /// Writes everything; returns whether the plots were drawn (false, with the reason, when gnuplot failed).
    @discardableResult
    public func write(to folder: String) throws -> (plotted: Bool, problem: String?) {
        let dir = URL(fileURLWithPath: folder)
        try OutputFile.prepareFolder(folder)
        try Plots.write(([ResultRow.columns.joined(separator: ",")] + rows.map(\.csvLine)).joined(separator: "\n") + "\n",
                        dir, "results.csv")
        try copyInputs(to: dir.appendingPathComponent("inputs"))
        var problem: String? = nil
        do { try Plots.draw(rows: rows, summaries: summaries, workloads: sweep.spec.workloads.map(\.name), folder: folder) } catch { problem = "\(error)" }
        try Plots.write(markdown(plotted: problem == nil), dir, "report.md")
        try Plots.write(html(plotted: problem == nil), dir, "report.html")
        return (problem == nil, problem)
    }

    /// The spec's text as `inputs/<spec file name>`, then each named file by its base name
    /// (prefixed with its position when two share a name).
    public var inputCopies: [(name: String, source: String?)] {
        let specName = sweep.spec.sourceFile == CapacitySpec.builtInName ? "default-spec.yaml"
            : URL(fileURLWithPath: sweep.spec.sourceFile).lastPathComponent
        var out: [(name: String, source: String?)] = [(specName, nil)]
        var taken: Set<String> = [specName]
        for (i, file) in sweep.inputFiles.enumerated() {
            var name = URL(fileURLWithPath: file).lastPathComponent
            if taken.contains(name) { name = "\(i)-\(name)" }
            taken.insert(name)
            out.append((name, file))
        }
        return out
    }

    private func copyInputs(to dir: URL) throws {
        try OutputFile.prepareFolder(dir.path)
        for (name, source) in inputCopies {
            let data = try source.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } ?? Data(sweep.spec.yaml.utf8)
            try OutputFile.write(data, to: dir.appendingPathComponent(name).path)
        }
    }

    /// Workloads in spec order, each with its layouts ranked.
    var byWorkload: [(workload: WorkloadSpec, ranked: [LayoutSummary])] {
        sweep.spec.workloads.map { w in (w, LayoutSummary.ranked(summaries.filter { $0.workload == w.name })) }
    }

    var header: [String] {
        ["layout", "strategy", "batch", "racks", "tokens/s per rack", "spare chips", "TTFT p50 / p99 ms", "TPOT ms",
         "load", "compute util.", "kW at load", "J per token", "$ per M tokens", "capex $", "power $/yr",
         "goodput req/s", "note"]
    }

    func cells(_ s: LayoutSummary) -> [String] {
        let pct = { (v: Double?) in v.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        let goodput = s.goodputRequestsPerSecond.map { "\(fmt($0)) (\(fmt(s.targetRequestsPerSecond)) asked)" } ?? "–"
        return [s.layout, s.strategy, s.batch.isEmpty ? "–" : "\(s.batch) (\(s.mode))", s.racksNeeded.map(String.init) ?? "–",
                fmt(s.tokensPerSecondPerRack), s.feasible ? "\(s.spareChips)" : "–",
                s.ttftP50Ms.map { "\(fmt($0, digits: 3)) / \(fmt(s.ttftP99Ms, digits: 3))" } ?? "–", fmt(s.tpotMs, digits: 3),
                pct(s.loadFraction), pct(s.computeUtilisationAtLoad), fmt(s.kWAtLoad, digits: 3), fmt(s.joulesPerToken, digits: 3),
                fmt(s.usdPerMillionTokensAtLoad, digits: 3), fmt(s.capexUSD), fmt(s.powerUSDPerYear), goodput, s.note]
    }

    /// One sentence per workload: the cheapest layout and the racks it needs.
    public var verdicts: [String] { byWorkload.map { "\($0.workload.name): " + verdict($0.workload, $0.ranked) } }

    func verdict(_ w: WorkloadSpec, _ ranked: [LayoutSummary]) -> String {
        guard let best = ranked.first, best.feasible, let racks = best.racksNeeded else {
            return "No layout serves \(w.name) within its SLOs."
        }
        return "Best: \(best.layout), \(racks) rack\(racks == 1 ? "" : "s") for \(fmt(best.targetTokensPerSecond)) output tokens/s, "
            + "at $\(fmt(best.usdPerMillionTokensAtLoad, digits: 3)) per million tokens at that load (\(best.strategy), batch \(best.batch))."
    }

    var facts: [String] {
        let c = sweep.spec.costs
        return [
            "Spec: \(sweep.spec.sourceFile == CapacitySpec.builtInName ? "the built-in default spec" : sweep.spec.sourceFile)",
            "\(sweep.layouts.count) layouts × \(sweep.spec.workloads.count) workloads = \(sweep.points.count) points; \(candidates) planner candidates evaluated",
            "Prices (assumed, from the spec): $\(c.powerUSDPerKWh) per kWh; capex per chip and per rack as each layout gives; "
                + "capex amortised over \(fmt(c.amortisationYears)) years; a rack draws \(fmt(c.idlePowerFraction * 100))% of its full power idle, "
                + "linear in load above that",
            "Strategy: the planner's best within the SLOs by output tokens/s per rack; layouts ranked by $ per million tokens at the target load",
            "At the target load: racks in whole groups of the racks a strategy occupies; tokens/s per rack counts only the chips "
                + "the strategy uses (the rest are listed as spare); load = the target ÷ the racks' capacity",
            "TTFT p50/p99: the planner's TTFT plus the wait for a free slot of a replica at that load, an M/D/c queue with "
                + "c = the batch (Erlang C, Allen–Cunneen; README, Queueing); TPOT: the planner's at the strategy's batch",
            "Goodput: the highest request rate at which p99 TTFT and TPOT still meet the SLOs on those racks; "
                + "capex $: racks × capex per rack; power $/yr: kW at load all year",
            disaggregationFact,
        ]
    }
}

extension CapacityReport {
    /// Where separate prefill and decode pools won (the planner tries them for continuous batching).
    var disaggregationFact: String {
        let won = rows.filter { $0.role == "best" && $0.prefillStrategy != nil }
            .map { "\($0.layout) × \($0.workload)" }
        return "Prefill/decode disaggregation: tried for continuous-batching workloads; "
            + (won.isEmpty ? "it won nowhere" : "it won for " + Array(Set(won)).sorted().joined(separator: ", "))
    }
}

/// Four significant figures, thousands grouped; "–" for nothing.
func fmt(_ v: Double?, digits: Int = 4) -> String {
    guard let v, v.isFinite else { return "–" }
    if abs(v) >= 1000 {
        let n = Int(v.rounded())
        var s = String(abs(n)), out = ""
        while s.count > 3 { out = "," + s.suffix(3) + out; s = String(s.dropLast(3)) }
        return (n < 0 ? "-" : "") + s + out
    }
    return String(format: "%.\(digits)g", v)
}
