import ArgumentParser
import ClusterSpec
import CostModel
import Foundation
import ModelGraph
import Planner

/// `tessera place`: binds a plan's roles to the free chiplets and memory channels of a cluster.
struct PlaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Bind a plan's roles to the free chiplets and memory channels of a cluster (just-in-time placement).",
        discussion: """
            A plan describes roles (stage, TP/EP/DP ranks, who talks to whom) and how close each group \
            sits; `place` binds them to the chiplets that are free now, keeping TP groups on the fastest \
            link the free set offers, and reports the predicted slowdown against the ideal placement \
            (groups priced by the links they actually cross). It refuses, in one line, when the free \
            set cannot hold the plan. The placed plan runs under `tessera emulate` and `tessera lower`.

            SPEC (for --available and --channels): all, none, ids and ranges (0-511,600-700), \
            all-except:3,17 (ranges allowed), or a file of one id or range per line (@free.txt, or \
            the path of an existing file; # comments).

            Examples:
              tessera place plan.json --cluster Clusters/gb200-nvl72.yaml --available all-except:3,17 -o placed.json
              tessera place plan.json --cluster Clusters/dgx-h100.yaml --available 0-127 -o placed.json
              tessera place plan.json --cluster Clusters/corsair-rack.yaml --channels all-except:5 -o placed.json
              mpirun -launcher fork -n 16 tessera emulate placed.json --fail 5@2ms
            """)

    @Argument(help: "A plan written by `tessera plan -o`.")
    var plan: String

    @Option(help: "The cluster the plan was made for, e.g. Clusters/gb200-nvl72.yaml.")
    var cluster: String

    @Option(help: "Free, healthy chiplets (SPEC; default all).")
    var available = "all"

    @Option(help: "Free, healthy memory channels (SPEC; default all): instances of the outermost tier the plan uses, numbered per unit that owns one (a GPU's HBM: one per chiplet; a Corsair card's LPDDR5X: one per card).")
    var channels = "all"

    @Option(name: .shortAndLong, help: "Where to write the placed plan (`-` for standard output).")
    var output: String

    func run() throws {
        let loaded: Plan
        let evaluator: Evaluator
        do {
            loaded = try Plan.load(path: plan)
            evaluator = try PlaceCommand.evaluator(for: loaded, planPath: plan, clusterPath: cluster)
        } catch { throw fail(error) }
        let h = evaluator.hierarchy
        let tier = evaluator.channelTier(loaded)
        let placed: Plan, bindS: Double, totalS: Double
        do {
            let free = try ChipletSet.load(available, count: h.totalChiplets, what: "--available")
            let healthy = try ChipletSet.load(channels, count: tier.channels, what: "--channels (\(tier.name), \(tier.channels) channels)")
            let start = DispatchTime.now().uptimeNanoseconds
            let positions = try Placer.place(loaded, on: h, usable: evaluator.usable(available: free, channels: healthy, tier: tier))
            let bound = DispatchTime.now().uptimeNanoseconds
            placed = try evaluator.placed(loaded, positions: positions, available: free, channels: healthy, tier: tier)
            bindS = Double(bound - start) / 1e9
            totalS = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } catch { throw fail("\(plan): cannot place it on \(evaluator.inputs.cluster.name): \(error)") }
        let output = self.output
        try writeAtomically(try prettyJSON(placed), to: output)
        guard output != "-" else { return }
        print(PlaceCommand.report(placed, on: h, tier: tier, bindS: bindS, totalS: totalS).joined(separator: "\n"))
        print("wrote \(output)")
    }

    /// The planner's evaluator for a plan's model, scenario and software on `clusterPath`,
    /// which must be the cluster the plan was made for (same levels and links).
    static func evaluator(for plan: Plan, planPath: String, clusterPath: String) throws -> Evaluator {
        let spec = try ClusterSpec.load(path: clusterPath)
        let h = Hierarchy(spec)
        func describe(_ levels: [(String, Int)]) -> String { levels.map { "\($0.0) ×\($0.1)" }.joined(separator: ", ") }
        let same = plan.levels.count == h.levels.count && zip(plan.levels, h.levels).allSatisfy {
            $0.name == $1.name && $0.count == $1.count && $0.bandwidthGBps == $1.bandwidthGBps && $0.latencyUs == $1.latencyUs
        }
        guard same else {
            throw PlaceFailure(description: "\(planPath) was planned on \(plan.cluster) (\(describe(plan.levels.map { ($0.name, $0.count) }))); "
                + "\(clusterPath) describes \(spec.name) (\(describe(h.levels.map { ($0.name, $0.count) }))) with other levels or links: "
                + "place a plan on the cluster it was planned for")
        }
        let software = try plan.software.flatMap { sw in
            sw.name == spec.software.name ? nil : try SoftwareProfile.resolve(sw.name, relativeTo: clusterPath)
        }
        var inputs = PlanInputs(modelName: plan.model, model: ModelGraph(config: plan.modelConfig, name: plan.model),
                                cluster: spec, scenario: plan.scenario, software: software)
        inputs.allowUnevenKVHeads = true  // the plan was judged when it was made
        return try Evaluator(inputs)
    }

    struct PlaceFailure: Error, CustomStringConvertible { var description: String }

    /// What the binding did: how many roles moved, where the groups sit, and the slowdown.
    static func report(_ placed: Plan, on h: Hierarchy, tier: ChannelTier, bindS: Double, totalS: Double) -> [String] {
        guard let p = placed.placement else { return [] }
        let n = placed.chiplets.count
        let moved = p.chiplets.enumerated().filter { $0.offset != $0.element }.count
        let free = (try? ChipletSet.parse(p.available, count: h.totalChiplets, what: ""))?.count ?? 0
        var lines = [
            "placed \(n) roles of \(placed.model) (\(placed.strategy)) on \(n) of \(free) free chiplets of \(placed.cluster) "
                + String(format: "(bound in %.3g ms, priced in %.3g ms)", bindS * 1000, (totalS - bindS) * 1000),
            "\(moved) of \(n) roles moved off their ideal chiplet (role i on chiplet i); \(h.totalChiplets - free) chiplets not free, "
                + "\(free - n) spares left",
            "memory: each role bound to its \(tier.name) channel (\(tier.channels) channels, one per "
                + (tier.chipletsPerChannel == 1 ? "chiplet" : "\(tier.chipletsPerChannel) chiplets") + ")",
        ]
        lines += placed.groupReport(on: h)
        let i = p.ideal, m = placed.predicted
        func change(_ a: Double, _ b: Double) -> String { b != 0 ? String(format: "%+.1f%%", (a - b) / b * 100) : "n/a" }
        lines.append(String(format: "predicted slowdown against the ideal placement: TPOT %.4g ms (ideal %.4g, %@), TTFT %.4g ms (ideal %.4g, %@), %.5g tokens/s (ideal %.5g, %@)",
                            m.tpotMs, i.tpotMs, change(m.tpotMs, i.tpotMs), m.ttftMs, i.ttftMs, change(m.ttftMs, i.ttftMs),
                            m.outputTokensPerSecond, i.outputTokensPerSecond, change(m.outputTokensPerSecond, i.outputTokensPerSecond)))
        return lines
    }
}
