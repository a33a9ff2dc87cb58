import ArgumentParser
import Capacity
import ClusterSpec
import CostModel
import Foundation
import HostTopology
import ModelGraph
import Mutation
import Planner
import Runtime

/// One loader `tessera bench fuzz` drives: the shipped inputs it mutates, how a case is loaded, and
/// the figures derived from an accepted case (checked for NaN, infinity and negatives). A loader
/// passes a case when it throws or returns sane figures; it fails by trapping, hanging, running out
/// of memory or returning an impossible figure.
struct FuzzLoader: Sendable {
    let name: String
    /// The shipped inputs, each with the path under `folder` where its mutations are written.
    let seeds: @Sendable (_ root: String, _ folder: String) throws -> [MutationSeed]
    let load: @Sendable (_ root: String, _ path: String) throws -> Figures

    static let all: [FuzzLoader] = [
        FuzzLoader(name: "model", seeds: { try shipped($0, "Workloads", ".json", into: $1) }, load: { _, path in
            let graph = try ModelGraph.load(path: path)
            var f = Figures()
            f.add("parameters", graph.totalParameters)
            f.add("active parameters", graph.activeParameters)
            f.add("FLOPs per token", graph.flopsPerToken)
            f.add("weight bytes (bf16)", graph.weightBytes(.bf16))
            f.add("KV bytes per token (bf16)", graph.kvCacheBytesPerToken(.bf16))
            f.add("prefill FLOPs (1024 tokens)", graph.prefillFLOPs(tokens: 1024))
            f.add("decode FLOPs (context 1024)", graph.decodeFLOPs(context: 1024))
            return f
        }),
        FuzzLoader(name: "scenario", seeds: { try shipped($0, "Workloads/scenarios", ".json", into: $1) }, load: {
            var f = Figures()
            f.addAll("scenario", in: try Scenario.load(path: $1))
            return f
        }),
        FuzzLoader(name: "cluster", seeds: { try shipped($0, "Clusters", ".yaml", into: $1) }, load: {
            clusterFigures(try ClusterSpec.load(path: $1))
        }),
        FuzzLoader(name: "software", seeds: { try shipped($0, "Clusters/software", ".yaml", into: $1) }, load: {
            var f = Figures()
            f.addAll("software", in: try SoftwareProfile.load(path: $1))
            return f
        }),
        FuzzLoader(name: "measurements", seeds: { try shipped($0, "Experiments/calibration", ".csv", into: $1) }, load: {
            var f = Figures()
            for (i, m) in try Measurement.load(path: $1).enumerated() {
                for (key, value) in [("measured", m.measured), ("tp", Double(m.tp)), ("ep", Double(m.ep)), ("pp", Double(m.pp)),
                                     ("inputTokens", Double(m.inputTokens)), ("outputTokens", Double(m.outputTokens)),
                                     ("batch", Double(m.batch ?? 1))] {
                    f.add("rows[\(i)].\(key)", value)
                }
            }
            return f
        }),
        // The head of each GB200 table (header and 64 rows): the whole tables are 0.7 MB each, and
        // a mutation hits the same parser whichever row it lands on.
        FuzzLoader(name: "kernels", seeds: { root, folder in
            try shipped(root, "Clusters/kernels/gb200", ".csv", into: folder).enumerated().map { i, seed in
                let name = (seed.casePath as NSString).lastPathComponent
                let dir = folder + "/table\(i)"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let head = seed.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(65)
                return MutationSeed(text: head.joined(separator: "\n"), casePath: dir + "/" + name)
            }
        }, load: { _, path in
            var f = Figures()
            for (name, value) in try KernelTables.load(directory: (path as NSString).deletingLastPathComponent).tabledValues {
                f.add(name, value)
            }
            return f
        }),
        // A plan written by the planner, read back and lowered to programs, as `lower` and
        // `emulate` do: the planner never trusts what it reads back.
        FuzzLoader(name: "plan", seeds: { root, folder in
            [MutationSeed(text: try tinyPlan(root), casePath: folder + "/plan.json")]
        }, load: { _, path in
            let plan = try Plan.load(path: path)
            var f = Figures()
            f.addAll("plan.predicted", in: plan.predicted)
            f.addAll("plan.memory", in: plan.memory)
            f.addAll("plan.communication", in: plan.communication)
            f.addAll("plan.levels", in: plan.levels)
            for c in [plan.head, plan.tail] + plan.layerClasses {
                for op in c.ops {
                    f.add("op \(op.name) weight bytes", op.weightBytes)
                    f.add("op \(op.name) prefill seconds", op.prefillSeconds)
                    f.add("op \(op.name) decode seconds", op.decodeSeconds)
                }
            }
            for program in try Lowering.lower(plan: plan) { programFigures(program, into: &f) }
            return f
        }),
        // Capacity specs name their models and clusters relative to Experiments/, so the mutated
        // text is parsed as if it were there; an accepted spec gives the layouts and loads the
        // sweep would use (the shipped models and clusters it names, read once per process).
        FuzzLoader(name: "capacity", seeds: { root, folder in
            try shipped(root, "Experiments", ".yaml", into: folder).filter { seed in
                let original = root + "/Experiments/" + (seed.casePath as NSString).lastPathComponent
                return (try? CapacitySpec.load(path: original)) != nil
            }
        }, load: { root, path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let spec = try CapacitySpec.parse(yaml: text, file: path, folder: root + "/Experiments")
            return try capacityFigures(spec)
        }),
        FuzzLoader(name: "hwloc-xml", seeds: { try shipped($0, "Tests/HostTopologyTests/Fixtures", ".xml", into: $1) }, load: {
            let topology = try Topology(xmlFile: $1)
            var f = Figures()
            for kind in [ObjectKind.package, .numaNode, .l3Cache, .core, .pu] { f.add("\(kind) count", topology.count(kind)) }
            f.addAll("PUs by core", in: topology.puIndicesByCore)
            return f
        }),
    ]

    /// A cluster's read values and what the planner derives from them: totals of chiplets,
    /// peak rates, memory capacity and bandwidth per tier, power, cost, and per-link bandwidths.
    static func clusterFigures(_ c: ClusterSpec, _ name: String = "cluster") -> Figures {
        var f = Figures()
        f.addAll(name + ".chiplet", in: c.chiplet)
        f.addAll(name + ".levels", in: c.levels)
        f.add(name + " chiplets", c.totalChiplets)
        f.add(name + " chips", c.totalChips)
        for dtype in c.chiplet.compute.supportedDTypes { f.add(name + " peak TFLOPS " + dtype, c.totalPeakTFLOPS(dtype) ?? 0) }
        f.addAll(name + " memory per chiplet", in: c.memoryPerChiplet)
        f.addAll(name + " memory totals", in: c.memoryTotals)
        f.add(name + " power W", c.totalPowerW)
        f.add(name + " power per rack W", c.powerPerRackW)
        f.add(name + " cost USD", c.totalCostUSD ?? 0)
        for (i, level) in c.levels.enumerated() {
            let members = c.chiplets(inLevel: i)
            f.add(name + " \(level.name) links per member", level.link.linksPerMember(memberCount: members))
            f.add(name + " \(level.name) GB/s per link", level.link.perLinkBandwidthGBps(memberCount: members))
        }
        return f
    }

    /// Totals of a lowered program: instructions executed, compute seconds, bytes sent and received,
    /// the largest tile shape.
    static func programFigures(_ p: Program, into f: inout Figures) {
        let name = "program \(p.chiplet)"
        f.add(name + " instructions executed", p.executedCount)
        var seconds = 0.0, bytes = 0.0, largest = 0.0
        for (list, times) in [(p.prefill, 1.0), (p.decodeStep, Double(p.decodeSteps)), (p.epilogue, 1.0)] {
            for instruction in list {
                switch instruction {
                case .compute(let c):
                    seconds += c.seconds * times
                    if let s = c.shape { largest = max(largest, s.m, s.n, s.k, s.sequences, s.promptTokens, s.context) }
                    if let s = c.shape, [s.m, s.n, s.k, s.sequences, s.promptTokens, s.context].contains(where: { !$0.isFinite || $0 < 0 }) {
                        largest = .nan
                    }
                case .send(let t), .recv(let t): bytes += t.bytes * times
                case .barrier: break
                }
            }
        }
        f.add(name + " compute seconds", seconds)
        f.add(name + " bytes moved", bytes)
        f.add(name + " largest tile dimension", largest)
    }

    /// The shipped clusters, models and scenarios the capacity specs name, read once per process.
    static let shippedInputs = InputFiles()

    /// What a capacity sweep of `spec` would use: each layout's cluster figures, chips and power per
    /// rack and capex, and each workload's length buckets and target tokens/s.
    static func capacityFigures(_ spec: CapacitySpec) throws -> Figures {
        let sweep = try CapacitySweep(spec, files: shippedInputs)
        var f = Figures()
        f.addAll("costs", in: spec.costs)
        for layout in sweep.layouts.prefix(64) {
            for (name, value) in clusterFigures(layout.cluster, layout.name).values { f.add(name, value) }
            f.add(layout.name + " chips per rack", layout.chipsPerRack)
            f.add(layout.name + " rack kW", layout.rackPowerKW)
            f.add(layout.name + " capex per rack USD", layout.capexPerRackUSD)
            f.add(layout.name + " rack power budget kW", layout.rackPowerBudgetKW ?? 0)
        }
        for (i, w) in spec.workloads.enumerated() {
            f.addAll(w.name + " buckets", in: sweep.buckets(i))
            f.add(w.name + " target tokens/s", sweep.targetTokensPerSecond(i))
            f.add(w.name + " max TTFT ms", w.maxTTFTMs ?? 0)
            f.add(w.name + " max TPOT ms", w.maxTPOTMs ?? 0)
        }
        return f
    }

    /// Every `ext` file of `root/folder`, sorted, each mutated into `into/<its name>`.
    static func shipped(_ root: String, _ folder: String, _ ext: String, into: String) throws -> [MutationSeed] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder).filter { $0.hasSuffix(ext) }.sorted()
            .map { MutationSeed(text: try String(contentsOfFile: root + "/" + folder + "/" + $0, encoding: .utf8),
                                casePath: into + "/" + $0) }
    }

    /// Tiny-Llama at TP 2 × PP 2, batch 2 on a DGX-A100, as plan.json text.
    static func tinyPlan(_ root: String) throws -> String {
        let graph = try ModelGraph.load(path: root + "/Workloads/tiny-llama.json")
        let inputs = PlanInputs(modelName: graph.name, model: graph, cluster: try ClusterSpec.load(path: root + "/Clusters/dgx-a100.yaml"),
                                scenario: try Scenario.load(path: root + "/Workloads/scenarios/chat.json"))
        let evaluator = try Evaluator(inputs)
        guard let plan = evaluator.plan(evaluator.evaluateLargestBatch(Strategy(tp: 2, pp: 2), batch: 2, maxBatch: 2)) else {
            throw ValidationError("the seed plan (tiny-llama, TP 2 × PP 2 on dgx-a100) is infeasible")
        }
        return String(decoding: try prettyJSON(plan), as: UTF8.self)
    }
}
