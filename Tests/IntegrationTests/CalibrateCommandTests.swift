import Foundation
import Testing

/// `tessera validate` and `tessera calibrate` as a user runs them on the shipped Groq row D1.
@Suite struct CalibrateCommandTests {
    let cli = PlanCommandTests()

    /// Fitting the per-kernel-group figure to D1 alone brings D1 to within 1% (one parameter, one
    /// row), and the written file carries the fitted value, the rows it was fitted to, and the
    /// old comment.
    @Test func calibrateWritesTheFittedFileWithItsProvenance() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-calibrate-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("d1.csv").path
        let rows = try String(contentsOfFile: MPIRunTests.packageRoot.appendingPathComponent("Experiments/calibration/spatial.csv").path,
                              encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("id,") || $0.hasPrefix("D1,") }
        try (rows.joined(separator: "\n") + "\n").replacingOccurrences(of: ",groq-rack,", with: ",Clusters/groq-rack.yaml,")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("groq-fitted.yaml").path
        let r = try cli.tessera(["calibrate", "--measurements", csv, "--fit", "compute.opOverheadUs", "--folds", "0", "-o", out])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("compute.opOverheadUs: "))
        let after = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("after:") })
        let median = try #require(after.split(separator: "median |error| ").dropFirst().first?.split(separator: "%").first)
        #expect(try #require(Double(median)) < 1)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("# fitted by `tessera calibrate`: compute.opOverheadUs to the rows D1\n"))
        #expect(text.contains("opOverheadUs: ") && text.contains("# fitted by tessera calibrate (see the first line)"))
        // The fitted file validates D1 as calibrate said.
        let v = try cli.tessera(["validate", csv])
        #expect(v.status == 0)
        #expect(v.out.contains("fitted rows: 1, median |error| "))
    }

    /// `--by cluster` adds a summary line per cluster after the table; `--csv` carries the model,
    /// cluster and software of each row for other tools to group by.
    @Test func validateSummarisesByClusterAndWritesNamesInCSV() throws {
        let csv = "Experiments/calibration/spatial.csv"
        let r = try cli.tessera(["validate", csv, "--by", "cluster"])
        #expect(r.status == 0, "\(r.err)")
        let tail = r.out.components(separatedBy: "\nby cluster:\n")
        #expect(tail.count == 2)
        let groups = (tail.last ?? "").split(separator: "\n").map { $0.split(separator: ":").first.map(String.init) ?? "" }
        #expect(groups == ["  cerebras-wafer", "  corsair-rack", "  groq-rack"])
        #expect(r.out.contains("  groq-rack: fitted rows: 1, median |error| 0.0%, max 0.0%; held-out rows (out of sample): 1, "))
        let c = try cli.tessera(["validate", csv, "--csv"])
        let lines = c.out.split(separator: "\n")
        #expect(lines.first == "id,split,metric,measured,predicted,error,model,cluster,software")
        #expect(lines.dropFirst().first?.hasPrefix("D1,fit,tokensPerSecondPerUser,750,") == true)
        #expect(lines.dropFirst().first?.hasSuffix(",llama-7b,groq-rack,") == true)
        let bad = try cli.tessera(["validate", csv, "--by", "chip"])
        #expect(bad.status != 0 && bad.err.contains("--by"))
    }

    @Test func aBadMeasurementFileIsOneLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-validate-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("bad.csv").path
        try "id,model\nX,llama\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try cli.tessera(["validate", csv])
        #expect(r.status == 1)
        #expect(r.err == "error: \(csv):1: header is missing cluster, software, tp, ep, pp, input, output, batch, mode, weights, activations, kv, metric, measured, split, source\n")
    }
}
