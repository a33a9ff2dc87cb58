import ClusterSpec
import Foundation

/// A free parameter of a cluster or software profile that `tessera calibrate` may fit, with the
/// physical range it must stay in. Only physics: efficiencies, overheads, latencies; never a
/// factor per case.
public struct CalibrationParameter: Sendable {
    public let name: String
    public let lower: Double
    public let upper: Double
    let get: @Sendable (ClusterSpec, SoftwareProfile) -> Double
    let set: @Sendable (inout ClusterSpec, inout SoftwareProfile, Double) -> Void
    /// Where the value sits in its file: the software profile or the cluster.
    public let inSoftware: Bool
    /// The YAML key whose value is replaced when the fit is written.
    public let key: String

    public static let all: [CalibrationParameter] = [
        software("kernelLaunchUs", 0, 50, \.kernelLaunchUs),
        software("graphKernelUs", 0, 20, \.graphKernelUs),
        software("stepOverheadUs", 0, 50_000, \.stepOverheadUs),
        software("requestOverheadUs", 0, 100, \.requestOverheadUs),
        software("kernelEfficiency", 0.2, 1, \.kernelEfficiency),
        software("kvCacheFraction", 0.5, 1, \.kvCacheFraction),
        software("frontEndMs", 0, 5000, \.frontEndMs),
        CalibrationParameter(name: "compute.opOverheadUs", lower: 0, upper: 100,
                             get: { c, _ in c.chiplet.compute.opOverheadUs },
                             set: { c, _, v in c.chiplet.compute.opOverheadUs = v }, inSoftware: false, key: "opOverheadUs"),
        CalibrationParameter(name: "compute.matmulEfficiency", lower: 0.05, upper: 1,
                             get: { c, _ in c.chiplet.compute.matmulEfficiency },
                             set: { c, _, v in
                                 c.chiplet.compute.matmulEfficiency = v
                                 for k in c.chiplet.compute.matmulEfficiencyByDType.keys { c.chiplet.compute.matmulEfficiencyByDType[k] = v }
                             }, inSoftware: false, key: "matmulEfficiency"),
        // Chip-to-chip hop latency of the innermost level (the first `latencyUs:` in a cluster file).
        CalibrationParameter(name: "levels[0].link.latencyUs", lower: 0.01, upper: 100,
                             get: { c, _ in c.levels.first?.link.latencyUs ?? 0 },
                             set: { c, _, v in if !c.levels.isEmpty { c.levels[0].link.latencyUs = v } },
                             inSoftware: false, key: "latencyUs"),
        CalibrationParameter(name: "host.relativeSpeed", lower: 0.2, upper: 3,
                             get: { c, _ in c.hostSpeed }, set: { c, _, v in c.hostSpeed = v },
                             inSoftware: false, key: "relativeSpeed"),
        CalibrationParameter(name: "memory.bandwidthEfficiency", lower: 0.3, upper: 1,
                             get: { c, _ in c.chiplet.memory.first?.bandwidthEfficiency ?? 1 },
                             set: { c, _, v in if !c.chiplet.memory.isEmpty { c.chiplet.memory[0].bandwidthEfficiency = v } },
                             inSoftware: false, key: "bandwidthEfficiency"),
    ]

    static func software(_ key: String, _ lower: Double, _ upper: Double,
                         _ path: WritableKeyPath<SoftwareProfile, Double> & Sendable) -> CalibrationParameter {
        CalibrationParameter(name: "software.\(key)", lower: lower, upper: upper, get: { _, s in s[keyPath: path] },
                             set: { _, s, v in s[keyPath: path] = v }, inSoftware: true, key: key)
    }

    public static func named(_ name: String) throws -> CalibrationParameter {
        guard let p = all.first(where: { $0.name == name }) else {
            throw CalibrationError.file("--fit", "unknown parameter \(name); expected one of \(all.map(\.name).joined(separator: ", "))")
        }
        return p
    }
}

/// Fits parameters to measurement rows by minimising the mean squared log error (so 2× too fast
/// and 2× too slow weigh the same), each parameter kept in its physical range.
public struct CalibrationFit: Sendable {
    public var parameters: [CalibrationParameter]
    public var values: [Double]
    public var before: [Double]
    public var loss: Double

    /// Coordinate descent with a golden-section search per parameter (deterministic, no
    /// gradients: the planner is piecewise in batch sizes). `start` defaults to the files' values.
    public static func fit(_ parameters: [CalibrationParameter], rows: [Measurement], calibrator: Calibrator,
                           start: [Double]? = nil, sweeps: Int = 3) throws -> CalibrationFit {
        guard let first = rows.first else { throw CalibrationError.file("measurements", "no rows to fit") }
        let cluster = try calibrator.cluster(first.cluster), software = try calibrator.software(first)
        let initial = parameters.map { $0.get(cluster, software) }
        var x = start ?? initial
        func loss(_ v: [Double]) throws -> Double {
            var sum = 0.0
            for row in rows {
                let p = try calibrator.predict(row, adjust: adjust(parameters, v))
                sum += pow(log(p / row.measured), 2)
            }
            return sum / Double(rows.count)
        }
        var best = try loss(x)
        let ratio = (sqrt(5.0) - 1) / 2
        for _ in 0..<sweeps {
            for i in parameters.indices {
                func at(_ t: Double) throws -> Double { var y = x; y[i] = t; return try loss(y) }
                // A coarse scan first (the loss has several dips: batch sizes are whole numbers),
                // then a golden-section search in the cells around the best point of the scan.
                let lo = parameters[i].lower, hi = parameters[i].upper, cells = 16
                let grid = (0...cells).map { lo + (hi - lo) * pow(Double($0) / Double(cells), 2) }
                var bestK = 0, bestScan = Double.infinity
                for (k, t) in grid.enumerated() { let f = try at(t); if f < bestScan { bestScan = f; bestK = k } }
                if bestScan < best { best = bestScan; x[i] = grid[bestK] }
                var a = grid[max(bestK - 1, 0)], b = grid[min(bestK + 1, cells)]
                var c = b - ratio * (b - a), d = a + ratio * (b - a)
                var fc = try at(c), fd = try at(d)
                for _ in 0..<20 {
                    if fc < fd { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = try at(c) }
                    else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = try at(d) }
                }
                for (t, f) in [(c, fc), (d, fd)] where f < best { best = f; x[i] = t }
            }
        }
        return CalibrationFit(parameters: parameters, values: x, before: initial, loss: best)
    }

    /// A closure that sets `values` on a cluster and software profile.
    static func adjust(_ parameters: [CalibrationParameter], _ values: [Double]) -> (inout ClusterSpec, inout SoftwareProfile) -> Void {
        { c, s in for (p, v) in zip(parameters, values) { p.set(&c, &s, v) } }
    }

    public var adjust: (inout ClusterSpec, inout SoftwareProfile) -> Void { Self.adjust(parameters, values) }

    /// The file `text` (a cluster or software profile, YAML) with each fitted key's value
    /// replaced and a header saying what was fitted to what. Keys must already be in the file.
    /// `which` picks the parameters whose file this is (nil: all, for a cluster with its profile inline).
    public func rewrite(_ text: String, file: String, software which: Bool?, rows: [String]) throws -> String {
        var lines = text.components(separatedBy: "\n")
        for (p, v) in zip(parameters, values) where which == nil || p.inSoftware == which {
            guard let i = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(p.key + ":") }) else {
                throw CalibrationError.file(file, "\(p.key) is not in the file; add it with a starting value to fit it")
            }
            let indent = lines[i].prefix { $0 == " " }
            let old = lines[i].split(separator: "#", maxSplits: 1).dropFirst().first
                .map { $0.trimmingCharacters(in: .whitespaces) }.map { $0.hasPrefix("fitted") ? "" : " (was: \($0))" } ?? ""
            lines[i] = "\(indent)\(p.key): \(String(format: "%.4g", v))   # fitted by tessera calibrate (see the first line)\(old)"
        }
        let fitted = parameters.filter { which == nil || $0.inSoftware == which }.map(\.name).joined(separator: ", ")
        let header = "# fitted by `tessera calibrate`: \(fitted) to the rows \(rows.joined(separator: " "))"
        // A fit replaces the header of the one before it.
        while lines.first?.hasPrefix("# fitted by `tessera calibrate`") == true { lines.removeFirst() }
        return header + "\n" + lines.joined(separator: "\n")
    }
}
