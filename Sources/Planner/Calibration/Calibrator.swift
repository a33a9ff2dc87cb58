import ClusterSpec
import CostModel
import Foundation
import ModelGraph

/// Predicts measurement rows with the planner, resolving the models, clusters and software
/// profiles they name once each. `adjust` lets a fit try other parameter values.
public final class Calibrator {
    /// Folder holding Workloads/ and Clusters/ (names in rows resolve there).
    public let root: String
    private var models: [String: ModelGraph] = [:]
    private var clusters: [String: ClusterSpec] = [:]
    private var profiles: [String: SoftwareProfile] = [:]

    public init(root: String) { self.root = root }

    /// The nearest folder at or above `path` with a Workloads/ folder, else the working directory.
    public static func root(near path: String) -> String {
        var dir = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<32 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Workloads").path) { return dir.path }
            let up = dir.deletingLastPathComponent()
            if up == dir { break }
            dir = up
        }
        return FileManager.default.currentDirectoryPath
    }

    func path(_ name: String, folder: String, ext: String) -> String {
        name.contains("/") || name.hasSuffix(ext) ? name : "\(root)/\(folder)/\(name)\(ext)"
    }

    public func cluster(_ name: String) throws -> ClusterSpec {
        if let known = clusters[name] { return known }
        let spec = try ClusterSpec.load(path: path(name, folder: "Clusters", ext: ".yaml"))
        clusters[name] = spec
        return spec
    }

    public func software(_ m: Measurement) throws -> SoftwareProfile {
        let cluster = try cluster(m.cluster)
        guard !m.software.isEmpty else { return cluster.software }
        if let known = profiles[m.software] { return known }
        let profile = try SoftwareProfile.resolve(m.software, relativeTo: cluster.sourceFile)
        profiles[m.software] = profile
        return profile
    }

    func model(_ name: String) throws -> ModelGraph {
        if let known = models[name] { return known }
        let graph = try ModelGraph.load(path: path(name, folder: "Workloads", ext: ".json"))
        models[name] = graph
        return graph
    }

    /// The planner's figure for the row's metric.
    public func predict(_ m: Measurement, adjust: ((inout ClusterSpec, inout SoftwareProfile) -> Void)? = nil) throws -> Double {
        do {
            var cluster = try cluster(m.cluster), software = try software(m)
            adjust?(&cluster, &software)
            // At full load the scheduler's caps bind (`Evaluator.runningBatch` applies them).
            let cap = m.batch ?? Evaluator.fullLoad
            let scenario = Scenario(inputTokens: m.inputTokens, outputTokens: m.outputTokens, batch: cap,
                                    mode: m.mode, precision: m.precision)
            let inputs = PlanInputs(modelName: m.model, model: try model(m.model), cluster: cluster,
                                    scenario: scenario, software: software)
            let e = try Evaluator(inputs).evaluate(Candidate(strategy: Strategy(tp: m.tp, pp: m.pp, ep: m.ep), batch: cap))
            guard let metrics = e.metrics else { throw CalibrationError.row(m.id, e.reason ?? "infeasible") }
            switch m.metric {
            case .tokensPerSecond: return metrics.outputTokensPerSecond
            case .ttftMs: return metrics.ttftMs
            case .tpotMs: return metrics.tpotMs
            case .tokensPerSecondPerUser: return metrics.tokensPerSecondPerUser
            }
        } catch let error as CalibrationError {
            throw error
        } catch {
            throw CalibrationError.row(m.id, "\(error)")
        }
    }
}

/// Predicted against measured, row by row, with the median and largest error of each split.
public struct ValidationReport: Sendable {
    public struct Line: Sendable {
        public var row: Measurement
        public var predicted: Double
        public var error: Double { predicted / row.measured - 1 }
        public init(row: Measurement, predicted: Double) { self.row = row; self.predicted = predicted }
    }
    public var lines: [Line]

    public init(lines: [Line]) { self.lines = lines }

    public init(_ rows: [Measurement], calibrator: Calibrator) throws {
        lines = try rows.map { Line(row: $0, predicted: try calibrator.predict($0)) }
    }

    /// The rows split by a key (the cluster, the model, …), in order of the key.
    public func grouped(by key: (Measurement) -> String) -> [(key: String, report: ValidationReport)] {
        Dictionary(grouping: lines) { key($0.row) }.sorted { $0.key < $1.key }.map { (key: $0.key, report: ValidationReport(lines: $0.value)) }
    }

    /// Median and largest |error| of the rows of `split` (nil: all rows), or nil when there are none.
    public func summary(_ split: Measurement.Split?) -> (count: Int, median: Double, max: Double)? {
        let errors = lines.filter { split == nil || $0.row.split == split }.map { abs($0.error) }
        guard !errors.isEmpty else { return nil }
        return (errors.count, median(errors), errors.max() ?? 0)
    }
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
