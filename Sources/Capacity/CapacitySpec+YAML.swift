import ClusterSpec
import Foundation
import ModelGraph
import SafeOutput
import Yams

/// Reading a capacity spec (Experiments/*.yaml). Paths to models, scenarios and clusters are
/// relative to the spec's own folder.
extension CapacitySpec {
    public static func load(path: String) throws(CapacityError) -> CapacitySpec {
        let text: String
        do { text = try InputFile.text(path) } catch { throw CapacityError(file: path, keyPath: "", message: "cannot read the file (\(error.reason))") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(yaml: text, file: path, folder: folder)
    }

    public static func parse(yaml: String, file: String, folder: String) throws(CapacityError) -> CapacitySpec {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let error as YamlError {
            throw CapacityError(file: file, keyPath: "", message: ClusterSpec.syntaxMessage(error))
        } catch {
            throw CapacityError(file: file, keyPath: "", message: "YAML syntax error: \(error)")
        }
        guard let root else { throw CapacityError(file: file, keyPath: "", message: "empty file; expected a capacity spec") }
        let top = try SpecNode(root, file: file, path: "", allowed: ["name", "description", "workloads", "layouts", "costs"])
        guard let costs = try top.child("costs", allowed: ["powerUSDPerKWh", "amortisationYears", "idlePowerFraction"]) else {
            throw top.error("costs", "missing; expected powerUSDPerKWh and amortisationYears")
        }
        let resolve = { (p: String) in p.hasPrefix("/") ? p : URL(fileURLWithPath: folder).appendingPathComponent(p).standardized.path }
        var workloads: [WorkloadSpec] = []
        for item in try top.list("workloads") { workloads.append(try workload(item.node, file: file, path: item.path, resolve: resolve)) }
        var layouts: [LayoutSpec] = []
        for item in try top.list("layouts") { layouts.append(try layout(item.node, file: file, path: item.path, resolve: resolve)) }
        if workloads.isEmpty { throw top.error("workloads", "missing; expected a list of workloads") }
        if layouts.isEmpty { throw top.error("layouts", "missing; expected a list of layouts") }
        for (what, names) in [("workload", workloads.map(\.name)), ("layout", layouts.map(\.name))] where Set(names).count != names.count {
            throw top.error(what + "s", "\(what) names must be unique, got \(names.joined(separator: ", "))")
        }
        return CapacitySpec(name: try top.requiredString("name"), summary: try top.string("description") ?? "",
                            sourceFile: file, workloads: workloads, layouts: layouts,
                            costs: CostSpec(powerUSDPerKWh: try costs.requiredNumber("powerUSDPerKWh", unit: "$ per kWh"),
                                            amortisationYears: try costs.requiredNumber("amortisationYears", unit: "years"),
                                            idlePowerFraction: try idleFraction(costs)),
                            yaml: yaml)
    }

    private static func workload(_ node: Node, file: String, path: String,
                                 resolve: (String) -> String) throws(CapacityError) -> WorkloadSpec {
        let f = try SpecNode(node, file: file, path: path, allowed: [
            "name", "model", "scenario", "lengths", "targetTokensPerSecond", "targetRequestsPerSecond", "maxTTFTMs", "maxTPOTMs"])
        var lengths: [LengthBucket] = []
        for item in try f.list("lengths") {
            let b = try SpecNode(item.node, file: file, path: item.path, allowed: ["inputTokens", "outputTokens", "share"])
            lengths.append(LengthBucket(inputTokens: try whole(b, "inputTokens"), outputTokens: try whole(b, "outputTokens"),
                                        share: try b.requiredNumber("share", unit: "requests (a weight)")))
        }
        let w = WorkloadSpec(name: try f.requiredString("name"), modelPath: resolve(try f.requiredString("model")),
                             scenarioPath: resolve(try f.requiredString("scenario")), lengths: lengths,
                             targetTokensPerSecond: try f.number("targetTokensPerSecond", unit: "output tokens/s"),
                             targetRequestsPerSecond: try f.number("targetRequestsPerSecond", unit: "requests/s"),
                             maxTTFTMs: try f.number("maxTTFTMs", unit: "ms"), maxTPOTMs: try f.number("maxTPOTMs", unit: "ms"))
        if (w.targetTokensPerSecond == nil) == (w.targetRequestsPerSecond == nil) {
            throw f.error("targetTokensPerSecond", "expected exactly one of targetTokensPerSecond and targetRequestsPerSecond")
        }
        return w
    }

    private static func idleFraction(_ costs: SpecNode) throws(CapacityError) -> Double {
        guard let v = try costs.number("idlePowerFraction", unit: "a fraction of full power") else {
            return CostSpec.defaultIdlePowerFraction
        }
        guard v <= 1 else { throw costs.error("idlePowerFraction", "expected a fraction of full power, at most 1, got \(v)") }
        return v
    }

    private static func whole(_ f: SpecNode, _ key: String) throws(CapacityError) -> Int {
        let v = try f.requiredNumber(key, unit: "tokens")
        guard v == v.rounded(), v < 1e9 else { throw f.error(key, "expected a positive whole number, got \(v)") }
        return Int(v)
    }

    private static func layout(_ node: Node, file: String, path: String,
                               resolve: (String) -> String) throws(CapacityError) -> LayoutSpec {
        let f = try SpecNode(node, file: file, path: path, allowed: [
            "name", "cluster", "levels", "interconnects", "rackPowerBudgetKW", "capexPerChipUSD", "capexPerRackUSD",
            "precision"])
        var precision: Precision? = nil
        if let text = try f.string("precision") {
            do { precision = try Precision(spec: text) } catch { throw f.error("precision", "\(error)") }
        }
        var counts: [(level: String, counts: [Int])] = []
        if let levels = f.mapping["levels"] {
            guard case let .mapping(m) = levels else { throw f.error("levels", "expected a mapping of level name to counts") }
            let names = Array(m.keys.compactMap(\.string))
            let levelNode = try SpecNode(levels, file: file, path: "\(path).levels", allowed: names)
            for name in names {
                let items = try levelNode.list(name)
                var values: [Int] = []
                for item in items {
                    let v = try SpecNode.positive(item.node, file: file, path: item.path, unit: "units", upTo: .infinity)
                    // 2^20 per level, as in cluster files; it also keeps Int(v) from trapping at 2^63.
                    guard v == v.rounded(), v <= 1_048_576 else {
                        throw CapacityError(file: file, keyPath: item.path,
                                            message: "expected a positive whole number of at most 1048576 (2^20), got \(v)")
                    }
                    values.append(Int(v))
                }
                counts.append((name, values))
            }
        }
        var links: [InterconnectChoice] = []
        for item in try f.list("interconnects") {
            let l = try SpecNode(item.node, file: file, path: item.path, allowed: ["name", "level", "bandwidthGBps", "latencyUs"])
            links.append(InterconnectChoice(name: try l.requiredString("name"), level: try l.requiredString("level"),
                                            bandwidthGBps: try l.number("bandwidthGBps", unit: "GB/s"),
                                            latencyUs: try l.number("latencyUs", unit: "µs")))
        }
        var budgets: [Double] = []
        for item in try f.list("rackPowerBudgetKW") {
            budgets.append(try SpecNode.positive(item.node, file: file, path: item.path, unit: "kW"))
        }
        return LayoutSpec(name: try f.requiredString("name"), clusterPath: resolve(try f.requiredString("cluster")),
                          levelCounts: counts, interconnects: links, rackPowerBudgetsKW: budgets,
                          capexPerChipUSD: try f.requiredNumber("capexPerChipUSD", unit: "USD"),
                          capexPerRackUSD: try f.number("capexPerRackUSD", unit: "USD") ?? 0, precision: precision)
    }
}
