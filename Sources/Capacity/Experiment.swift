import ClusterSpec
import Foundation
import ModelGraph
import Yams

/// An experiment file (Experiments/<name>.yaml): steps that each produce one tidy table (and a
/// plot), run in order into one results folder. Paths are relative to the file's folder.
public struct Experiment: Sendable {
    public var name: String
    public var summary: String
    public var sourceFile: String
    public var yaml: String
    public var steps: [ExperimentStep]
}

/// One step of an experiment.
public enum ExperimentStep: Sendable {
    /// Every row of measurement CSVs predicted against measured (Planner's Calibrator).
    case validate(table: String, files: [String])
    /// The planner's search on each cluster (× level counts): with `every`, every TP × PP (× EP)
    /// split's best batch, the planner's pick marked; else the pick alone per cluster shape.
    case search(SearchStep)
    /// A capacity sweep (a spec file, or "default" for the built-in one) as a table, with its report.
    case capacity(table: String, spec: String)
    /// Plans emulated under `mpirun` (`tessera emulate`), emulated against predicted.
    case emulate(EmulateStep)
}

public struct SearchStep: Sendable {
    public var table: String
    public var model: String
    public var scenario: String
    public var clusters: [(path: String, precision: Precision?)]
    /// Level name → counts, e.g. cluster: [1, 2, 4, 8] racks.
    public var levels: [(level: String, counts: [Int])]
    public var every: Bool
}

extension Experiment {
    /// The shipped experiments under `folder`, by name.
    public static func shipped(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted().map { folder + "/" + $0 }
    }

    /// Whether a YAML file is an experiment (has `steps:`) rather than a capacity spec.
    public static func isExperiment(path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let node = try? Yams.compose(yaml: text),
              case let .mapping(m) = node else { return false }
        return m["steps"] != nil
    }

    public static func load(path: String) throws(CapacityError) -> Experiment {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CapacityError(file: path, keyPath: "", message: "cannot read the file")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let resolve = { (p: String) in p.hasPrefix("/") ? p : URL(fileURLWithPath: folder).appendingPathComponent(p).standardized.path }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw CapacityError(file: path, keyPath: "", message: ClusterSpec.syntaxMessage(error))
        } catch {
            throw CapacityError(file: path, keyPath: "", message: "YAML syntax error: \(error)")
        }
        guard let root else { throw CapacityError(file: path, keyPath: "", message: "empty file; expected an experiment") }
        let top = try SpecNode(root, file: path, path: "", allowed: ["name", "description", "steps"])
        var steps: [ExperimentStep] = []
        for item in try top.list("steps") {
            let s = try SpecNode(item.node, file: path, path: item.path, allowed: ["validate", "search", "capacity", "emulate"])
            guard s.mapping.count == 1, let kind = s.mapping.keys.first else {
                throw CapacityError(file: path, keyPath: item.path, message: "expected exactly one of validate, search, capacity, emulate")
            }
            switch kind {
            case "validate":
                guard let v = try s.child("validate", allowed: ["table", "measurements"]) else { continue }
                let files = try v.list("measurements").map { (x) throws(CapacityError) -> String in
                    guard let p = x.node.scalar?.string else { throw CapacityError(file: path, keyPath: x.path, message: "expected a path") }
                    return resolve(p)
                }
                steps.append(.validate(table: try v.requiredString("table"), files: files))
            case "search":
                guard let v = try s.child("search", allowed: ["table", "model", "scenario", "clusters", "levels", "every"]) else { continue }
                var clusters: [(String, Precision?)] = []
                for c in try v.list("clusters") {
                    let n = try SpecNode(c.node, file: path, path: c.path, allowed: ["cluster", "precision"])
                    var precision: Precision? = nil
                    if let t = try n.string("precision") {
                        do { precision = try Precision(spec: t) } catch { throw n.error("precision", "\(error)") }
                    }
                    clusters.append((resolve(try n.requiredString("cluster")), precision))
                }
                if clusters.isEmpty { throw v.error("clusters", "missing; expected a list of { cluster, precision }") }
                var levels: [(String, [Int])] = []
                if let l = v.mapping["levels"], case let .mapping(m) = l {
                    for (k, counts) in m {
                        let values = (counts.sequence.map(Array.init) ?? [counts]).compactMap { $0.scalar.flatMap { Int($0.string) } }
                        guard let name = k.string, !values.isEmpty, values.allSatisfy({ $0 > 0 }) else {
                            throw v.error("levels", "expected level name → positive whole counts")
                        }
                        levels.append((name, values))
                    }
                }
                let every = try v.string("every").map { $0 == "true" } ?? false
                steps.append(.search(SearchStep(table: try v.requiredString("table"), model: resolve(try v.requiredString("model")),
                                                scenario: resolve(try v.requiredString("scenario")), clusters: clusters,
                                                levels: levels, every: every)))
            case "emulate":
                guard let v = try s.child("emulate", allowed: EmulateStep.keys) else { continue }
                steps.append(.emulate(try EmulateStep.load(v, resolve: resolve)))
            default:
                guard let v = try s.child("capacity", allowed: ["table", "spec"]) else { continue }
                let spec = try v.requiredString("spec")
                steps.append(.capacity(table: try v.requiredString("table"), spec: spec == "default" ? spec : resolve(spec)))
            }
        }
        if steps.isEmpty { throw top.error("steps", "missing; expected a list of validate, search, capacity or emulate steps") }
        return Experiment(name: try top.requiredString("name"), summary: try top.string("description") ?? "",
                          sourceFile: path, yaml: text, steps: steps)
    }
}
