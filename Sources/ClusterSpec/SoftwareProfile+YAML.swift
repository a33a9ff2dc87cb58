import Foundation
import Yams

/// Reading a software profile, from its own file (`Clusters/software/NAME.yaml`) or inline under a
/// cluster's `software:` key. Same rules as cluster files: unknown keys and out-of-range values
/// are errors naming the file and key path.
extension SoftwareProfile {
    static let keys = ["name", "description", "kernelLaunchUs", "cudaGraphs", "graphKernelUs", "stepOverheadUs",
                       "overlapScheduler", "requestOverheadUs", "maxNumTokens", "maxBatch", "kvCacheFraction", "kvAdmission", "kernelEfficiency",
                       "groupedQueryDecode", "fusions", "frontEndMs"]

    public static func load(path: String) throws -> SoftwareProfile {
        let text = try ClusterSpec.readText(path, what: "the software profile")
        let root = try ClusterSpec.root(text, file: path, expected: "a software profile mapping")
        return try read(YAMLFields(root, file: path, path: "", allowed: keys))
    }

    /// Resolves a profile reference: a path to a YAML file, or a name looked up as
    /// `software/NAME.yaml` next to `relativeTo` (a cluster file) and then in `Clusters/software/`.
    public static func resolve(_ reference: String, relativeTo file: String?) throws -> SoftwareProfile {
        if reference.hasSuffix(".yaml") || reference.contains("/") { return try load(path: reference) }
        var candidates: [String] = []
        if let file {
            let dir = (file as NSString).deletingLastPathComponent
            candidates.append(((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent("software/\(reference).yaml"))
        }
        candidates.append("Clusters/software/\(reference).yaml")
        for path in candidates where FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        throw ClusterSpecError(file: file ?? reference, keyPath: "software",
                               message: "no software profile \(reference); expected a file \(candidates.joined(separator: " or "))")
    }

    static func read(_ f: YAMLFields) throws -> SoftwareProfile {
        var p = SoftwareProfile(name: try f.requiredString("name"), sourceFile: f.file)
        p.kernelLaunchUs = try f.number("kernelLaunchUs", .nonNegative("µs")) ?? 0
        p.cudaGraphs = try f.bool("cudaGraphs") ?? false
        p.graphKernelUs = try f.number("graphKernelUs", .nonNegative("µs")) ?? p.kernelLaunchUs
        p.stepOverheadUs = try f.number("stepOverheadUs", .nonNegative("µs")) ?? 0
        p.overlapScheduler = try f.bool("overlapScheduler") ?? false
        p.requestOverheadUs = try f.number("requestOverheadUs", .nonNegative("µs")) ?? 0
        p.maxNumTokens = try f.count("maxNumTokens")
        p.maxBatch = try f.count("maxBatch")
        p.kvCacheFraction = try f.number("kvCacheFraction", .fraction) ?? 1
        if let name = try f.string("kvAdmission") {
            guard let admission = KVAdmission(rawValue: name) else {
                throw ClusterSpecError(file: f.file, keyPath: f.keyPath("kvAdmission"),
                                       message: "expected one of \(KVAdmission.allCases.map(\.rawValue).joined(separator: ", ")), got \(name)")
            }
            p.kvAdmission = admission
        }
        p.kernelEfficiency = try f.number("kernelEfficiency", .fraction) ?? 1
        p.groupedQueryDecode = try f.bool("groupedQueryDecode") ?? true
        p.frontEndMs = try f.number("frontEndMs", Bound(expected: "a number of ms from 0 to 600,000") { $0 >= 0 && $0 <= 600_000 }) ?? 0
        if f.node("fusions") != nil {
            p.fusions = []
            for item in try f.list("fusions") {
                guard case let .scalar(s) = item.node, let fusion = Fusion(rawValue: s.string) else {
                    throw ClusterSpecError(file: f.file, keyPath: item.path,
                                           message: "expected one of \(Fusion.allCases.map(\.rawValue).joined(separator: ", ")), got \(YAMLFields.kind(item.node))")
                }
                p.fusions.insert(fusion)
            }
        }
        return p
    }
}
