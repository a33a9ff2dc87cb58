import ArgumentParser
import ClusterSpec
import Foundation
import ModelGraph
import Planner
import Runtime

/// `tessera bench place`: how fast `tessera place` binds a plan to a cluster's free chiplets.
struct BenchPlaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Time just-in-time placement of a plan that fills 16 × GB200 NVL72 (1,152 chiplets).",
        discussion: """
            Plans Llama-3-70B as TP 8 × PP 4 on the cluster, then binds it (the goal: 1,152 chiplets in \
            under 50 ms) in four cases: every chiplet free (1,152 roles, the ideal kept); 8 chiplets lost \
            at seeded random places (1,120 roles, DP 35: the hit TP groups move, some across racks when \
            no rack has 8 free); the first 32 lost (4 groups move to the spare end of the last rack); and \
            22 scattered losses plus 4 lost memory channels. Prints \
            the median and worst binding time over --repeats runs and the median with the slowdown \
            pricing (one planner evaluation at the placed groups). Run the release build:

              .build/release/tessera bench place
            """)

    @Option(help: "Cluster to place on.") var cluster = "Clusters/gb200-nvl72.yaml"
    @Option(help: "Workload to plan.") var model = "Workloads/llama-3-70b.json"
    @Option(help: "Runs per case.") var repeats = 20
    @Option(help: "Seed of the random losses.") var seed: UInt64 = 7

    func validate() throws {
        guard (1...10_000).contains(repeats) else { throw ValidationError("--repeats must be 1 to 10,000, got \(repeats)") }
    }

    func run() throws {
        let spec: ClusterSpec, graph: ModelGraph
        do {
            spec = try ClusterSpec.load(path: cluster)
            graph = try ModelGraph.load(path: model)
        } catch { throw fail(error) }
        let inputs = PlanInputs(modelName: graph.name, model: graph, cluster: spec,
                                scenario: Scenario(inputTokens: 1024, outputTokens: 128, batch: 16, mode: .static))
        let evaluator = try Evaluator(inputs)
        let total = spec.totalChiplets, tp = 8, pp = 4
        func plan(dp: Int) throws -> Plan {
            let e = evaluator.evaluate(Candidate(strategy: Strategy(tp: tp, pp: pp, dp: dp), batch: 16))
            guard let p = evaluator.plan(e) else { throw fail("\(graph.name) TP \(tp) × PP \(pp) × DP \(dp): \(e.reason ?? "infeasible")") }
            return p
        }
        let full = try plan(dp: total / (tp * pp)), spared = try plan(dp: total / (tp * pp) - 1)
        var rng = SplitMix64(seed: seed)
        func lost(_ k: Int) -> [Int] {
            var ids = Set<Int>()
            while ids.count < k { ids.insert(Int(rng.next() % UInt64(total))) }
            return ids.sorted()
        }
        let tier = evaluator.channelTier(full)
        let everyChannel = ChipletSet(all: tier.channels)
        func except(_ ids: [Int], _ count: Int) -> ChipletSet {
            ChipletSet(ids: Array(Set(0..<count).subtracting(ids)), count: count)
        }
        let cases: [(String, Plan, ChipletSet, ChipletSet)] = [
            ("all free", full, ChipletSet(all: total), everyChannel),
            ("8 lost, random", spared, except(lost(8), total), everyChannel),
            ("first 32 lost", spared, except(Array(0..<32), total), everyChannel),
            ("22 lost + 4 channels", spared, except(lost(22), total), except(lost(4).map { $0 % tier.channels }, tier.channels)),
        ]
        print("placement on \(spec.name) (\(total) chiplets) of \(graph.name) TP \(tp) × PP \(pp); \(repeats) runs per case")
        var rows: [[String]] = []
        for (name, p, free, channels) in cases {
            let usable = evaluator.usable(available: free, channels: channels, tier: tier)
            var bind: [Double] = [], whole: [Double] = [], placed: Plan? = nil
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                let positions = try Placer.place(p, on: evaluator.hierarchy, usable: usable)
                let bound = DispatchTime.now().uptimeNanoseconds
                placed = try evaluator.placed(p, positions: positions, available: free, channels: channels, tier: tier)
                let end = DispatchTime.now().uptimeNanoseconds
                bind.append(Double(bound - start) / 1e6)
                whole.append(Double(end - start) / 1e6)
            }
            guard let placed, let placement = placed.placement else { continue }
            let moved = placement.chiplets.enumerated().filter { $0.offset != $0.element }.count
            let slowdown = (placed.predicted.tpotMs / placement.ideal.tpotMs - 1) * 100
            rows.append([name, "\(p.chiplets.count)", "\(usable.filter { $0 }.count)", "\(moved)",
                         String(format: "%.3f", median(bind)), String(format: "%.3f", bind.max() ?? 0),
                         String(format: "%.3f", median(whole)), String(format: "%+.1f%%", slowdown)])
        }
        print(alignedTable(["case", "roles", "usable", "moved", "bind ms (median)", "bind ms (max)", "bind + price ms", "TPOT vs ideal"], rows))
    }

    func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }
}
