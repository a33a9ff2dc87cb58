import ArgumentParser
import Foundation
import Planner
import SafeOutput

/// `tessera calibrate`: fits a named set of free parameters to measurements and writes the fitted file.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit a cluster's or software profile's free parameters to measurements, and show the error before, after and out of sample.",
        discussion: """
        Uses the rows marked `fit` (of --cluster / --software when given); rows marked `holdout` are \
        only predicted. Minimises the mean squared log error, each parameter within its physical \
        range, then refits k times leaving a fold out to report the out-of-sample error of the \
        fitted rows too. Writes the file the parameters live in (the software profile, or the \
        cluster) with the fitted values and a header naming the rows they were fitted to.

        Parameters: \(CalibrationParameter.all.map { "\($0.name) [\($0.lower)…\($0.upper)]" }.joined(separator: ", "))

        Examples:
          tessera calibrate --measurements Experiments/calibration/trtllm-1.0.csv --software trtllm-1.0 \\
              --fit software.kernelLaunchUs,software.requestOverheadUs -o trtllm-1.0-fitted.yaml
          tessera calibrate --measurements my-runs.csv --cluster my-gpus \\
              --fit compute.matmulEfficiency,memory.bandwidthEfficiency -o Clusters/my-gpus-fitted.yaml
        """
    )

    @Option(help: "Measurement CSV (see `tessera validate --help`).")
    var measurements: String
    @Option(help: "Use only rows on this cluster (name or file).")
    var cluster: String?
    @Option(help: "Use only rows naming this software profile.")
    var software: String?
    @Option(help: "Comma-separated parameters to fit.")
    var fit: String
    @Option(help: "Folds for the out-of-sample check of the fitted rows (0: none).")
    var folds = 5
    @Option(name: .shortAndLong, help: "Where to write the fitted cluster or software file.")
    var output: String?

    func run() throws {
        do {
            let params = try fit.split(separator: ",").map { try CalibrationParameter.named(String($0)) }
            let all = try Measurement.load(path: measurements).filter {
                (cluster == nil || $0.cluster == cluster) && (software == nil || $0.software == software)
            }
            let rows = all.filter { $0.split == .fit }
            let calibrator = Calibrator(root: Calibrator.root(near: measurements))
            let before = try ValidationReport(all, calibrator: calibrator)
            let result = try CalibrationFit.fit(params, rows: rows, calibrator: calibrator)
            let after = ValidationReport(lines: try all.map {
                .init(row: $0, predicted: try calibrator.predict($0, adjust: result.adjust))
            })
            for (p, (b, v)) in zip(params, zip(result.before, result.values)) {
                print("\(p.name): \(String(format: "%.4g", b)) → \(String(format: "%.4g", v))")
            }
            print("\nrow                     split    measured   before    after")
            for (b, a) in zip(before.lines, after.lines) {
                print(CalibrationText.pad(b.row.id, 24) + CalibrationText.pad(b.row.split.rawValue, 9)
                      + CalibrationText.left(String(format: "%.1f", b.row.measured), 9)
                      + CalibrationText.left(CalibrationText.percent(b.error), 9)
                      + CalibrationText.left(CalibrationText.percent(a.error), 9))
            }
            print("before: " + CalibrationText.summaryLines(before).joined(separator: "; "))
            print("after:  " + CalibrationText.summaryLines(after).joined(separator: "; "))
            if folds > 1 && rows.count >= folds {
                var errors: [Double] = []
                for k in 0..<folds {
                    let train = rows.enumerated().filter { $0.offset % folds != k }.map(\.element)
                    let refit = try CalibrationFit.fit(params, rows: train, calibrator: calibrator, start: result.values, sweeps: 1)
                    for (i, row) in rows.enumerated() where i % folds == k {
                        errors.append(abs(try calibrator.predict(row, adjust: refit.adjust) / row.measured - 1))
                    }
                }
                let sorted = errors.sorted()
                print("\(folds)-fold out of sample (fitted rows, each predicted by a fit without it): median |error| "
                      + String(format: "%.1f%%, max %.1f%%", sorted[sorted.count / 2] * 100, (sorted.last ?? 0) * 100))
            }
            if let output, let first = rows.first {
                // Parameters of one file only: the software profile, the cluster, or a cluster
                // whose profile is written inline in it.
                let softwareFile = try calibrator.software(first).sourceFile
                let clusterFile = try calibrator.cluster(first.cluster).sourceFile
                let kinds = Set(params.map(\.inSoftware))
                guard kinds.count == 1 || softwareFile == clusterFile else {
                    throw CalibrationError.file("--fit", "software.* and cluster parameters live in two files here (\(softwareFile), \(clusterFile)); fit them in two runs")
                }
                let source = kinds == [true] ? softwareFile : clusterFile
                let which: Bool? = softwareFile == clusterFile ? nil : kinds.first
                let text = try String(contentsOfFile: source, encoding: .utf8)
                let fitted = try result.rewrite(text, file: source, software: which, rows: rows.map(\.id))
                try writeAtomically(Data(fitted.utf8), to: output)
                print("wrote \(output) (from \(source))")
            }
        } catch let error as CalibrationError {
            throw fail(error)
        } catch let error as OutputError {
            throw fail(error)
        }
    }
}
