import Foundation
import Testing

/// The exact text and JSON of `tessera model`, `tessera cluster` and `tessera capacity`, against
/// files in Golden/. When an output changes on purpose, regenerate them and review the diff:
///
///     swift build && UPDATE_GOLDEN=1 swift test --filter GoldenTests
///
/// (`tessera plan` has no golden file: its figures follow the cost model, which changes often.)
@Suite struct GoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// `output` must equal Golden/`name`; with UPDATE_GOLDEN=1 in the environment it is written there instead.
    func expectGolden(_ output: String, _ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try output.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        guard output != expected else { return }
        let have = output.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(have, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(have.count, want.count)
        Issue.record("""
            \(name) differs from the output at line \(line + 1):
              golden: \(line < want.count ? String(want[line]) : "(end)")
              output: \(line < have.count ? String(have[line]) : "(end)")
            If the change is meant, regenerate: UPDATE_GOLDEN=1 swift test --filter GoldenTests
            """)
    }

    func tessera(_ arguments: [String]) throws -> String {
        let run = try PlanCommandTests().tessera(arguments)
        #expect(run.status == 0, "tessera \(arguments.joined(separator: " ")): \(run.err)")
        return run.out
    }

    @Test(arguments: ["tiny-llama", "tiny-moe"])
    func modelTextAndJSON(_ model: String) throws {
        try expectGolden(try tessera(["model", "Workloads/\(model).json"]), "model-\(model).txt")
        try expectGolden(try tessera(["model", "Workloads/\(model).json", "--json"]), "model-\(model).json")
    }

    /// The ONNX export of the tiny model (Tests/ONNXImportTests/Fixtures) prints what its
    /// config.json prints, but for the header line, and plans to the same JSON.
    @Test func onnxExportMatchesItsConfig() throws {
        let file = "Tests/ONNXImportTests/Fixtures/tiny-llama.onnx"
        let onnx = try tessera(["model", file])
        let golden = try String(contentsOf: Self.folder.appendingPathComponent("model-tiny-llama.txt"), encoding: .utf8)
        #expect(onnx.hasPrefix("tiny-llama  (onnx, \(file))\n"))
        #expect(onnx.split(separator: "\n").dropFirst() == golden.split(separator: "\n").dropFirst())
        let plan = ["plan", "--cluster", "Clusters/dgx-a100.yaml", "--input-tokens", "128", "--output-tokens", "32",
                    "--tp", "2", "--pp", "2", "--batch", "8", "--mode", "static", "--json", "--model"]
        #expect(try tessera(plan + [file]) == (try tessera(plan + ["Workloads/tiny-llama.json"])))
    }

    @Test(arguments: ["dgx-h100", "corsair-rack"])
    func clusterTextAndJSON(_ cluster: String) throws {
        try expectGolden(try tessera(["cluster", "Clusters/\(cluster).yaml"]), "cluster-\(cluster).txt")
        try expectGolden(try tessera(["cluster", "Clusters/\(cluster).yaml", "--json"]), "cluster-\(cluster).json")
    }

    /// The small test spec: what it prints (rates and ETAs, which depend on the machine, masked)
    /// and the results.csv it writes.
    @Test func capacityTextAndCSVForTheTinySpec() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-golden-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try tessera(["capacity", "Tests/CapacityTests/Fixtures/tiny.yaml", "-o", folder, "--plain"])
        let masked = output.replacingOccurrences(of: folder, with: "<output>")
            .replacingOccurrences(of: #"[0-9.]+ points/s  ETA .*"#, with: "<rate> points/s  ETA <eta>",
                                  options: .regularExpression)
        #expect(masked.contains("<rate> points/s"))
        try expectGolden(masked, "capacity-tiny.txt")
        try expectGolden(try String(contentsOfFile: folder + "/results.csv", encoding: .utf8), "capacity-tiny.csv")
    }
}
