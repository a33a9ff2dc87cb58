import ArgumentParser
import Foundation
import Planner

/// `tessera validate m.csv`: predicted against measured, row by row, fitted and held-out rows apart.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Predict every row of a measurement CSV and print predicted against measured, with the median and largest error.",
        discussion: """
        Each row names a model (Workloads/NAME.json), a cluster (Clusters/NAME.yaml), a software profile \
        (Clusters/software/NAME.yaml, or empty for the cluster's own), a strategy, the request shape and \
        load, and the measured metric (tokensPerSecond, ttftMs, tpotMs, tokensPerSecondPerUser). Rows \
        marked `fit` may be used by `tessera calibrate`; rows marked `holdout` never are, so their error \
        is out of sample. See Experiments/calibration/README.md for the columns.

        Examples:
          tessera validate Experiments/calibration/trtllm-1.0.csv
          tessera validate Experiments/calibration/*.csv --csv > errors.csv
          tessera validate Experiments/calibration/trtllm-1.0.csv --by cluster
        """
    )

    enum Grouping: String, ExpressibleByArgument, CaseIterable {
        case cluster, model, software
        func key(_ m: Planner.Measurement) -> String {
            switch self {
            case .cluster: m.cluster
            case .model: m.model
            case .software: m.software.isEmpty ? "(the cluster's own)" : m.software
            }
        }
    }

    @Argument(help: "One or more measurement CSV files.")
    var files: [String]

    @Flag(help: "Print one CSV row per measurement (id, split, metric, measured, predicted, error, model, cluster, software) instead of a table.")
    var csv = false

    @Option(help: "After the table, the median and largest |error| per \(Grouping.allCases.map(\.rawValue).joined(separator: ", ")), fitted and held-out rows apart.")
    var by: Grouping?

    func run() throws {
        var lines: [ValidationReport.Line] = []
        do {
            for file in files {
                let rows = try Measurement.load(path: file)
                lines += try ValidationReport(rows, calibrator: Calibrator(root: Calibrator.root(near: file))).lines
            }
        } catch let error as CalibrationError {
            throw fail(error)
        }
        let report = ValidationReport(lines: lines)
        guard !csv else {
            print(CalibrationText.csv(report))
            return
        }
        print(CalibrationText.table(report))
        if let by {
            print("\nby \(by.rawValue):")
            for (key, group) in report.grouped(by: by.key) {
                print("  \(key): " + CalibrationText.summaryLines(group).joined(separator: "; "))
            }
        }
    }
}

/// Text forms of validation and calibration results.
enum CalibrationText {
    static func percent(_ e: Double) -> String { String(format: "%+.1f%%", e * 100) }
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func left(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    static func table(_ r: ValidationReport) -> String {
        var out = [pad("row", 24) + pad("split", 9) + pad("metric", 24) + left("measured", 11) + left("predicted", 12) + left("error", 9)]
        for l in r.lines {
            out.append(pad(l.row.id, 24) + pad(l.row.split.rawValue, 9) + pad(l.row.metric.rawValue, 24)
                + left(String(format: "%.1f", l.row.measured), 11) + left(String(format: "%.1f", l.predicted), 12)
                + left(percent(l.error), 9))
        }
        out += summaryLines(r)
        return out.joined(separator: "\n")
    }

    static func summaryLines(_ r: ValidationReport) -> [String] {
        [(Measurement.Split.fit, "fitted rows"), (.holdout, "held-out rows (out of sample)")].compactMap { split, name in
            r.summary(split).map { "\(name): \($0.count), median |error| \(String(format: "%.1f", $0.median * 100))%, max \(String(format: "%.1f", $0.max * 100))%" }
        }
    }

    static func csv(_ r: ValidationReport) -> String {
        (["id,split,metric,measured,predicted,error,model,cluster,software"] + r.lines.map {
            "\(csvQuoted($0.row.id)),\($0.row.split.rawValue),\($0.row.metric.rawValue),\(String(format: "%.6g", $0.row.measured)),"
                + "\(String(format: "%.6g", $0.predicted)),\(String(format: "%.4f", $0.error)),"
                + [$0.row.model, $0.row.cluster, $0.row.software].map(csvQuoted).joined(separator: ",")
        }).joined(separator: "\n")
    }
}
