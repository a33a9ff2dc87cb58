import ClusterSpec
import CostModel
import Foundation
import ModelGraph
import Mutation
import Testing
@testable import Planner

/// A short seeded mutation pass over every shipped loader input (issue 15), with the `Mutation`
/// engine: each loader must return a value or throw a one-line typed error; a trap kills the test
/// process, which is the failure signal. `make fuzz` runs the same engine at 100,000 cases per loader.
@Suite(.serialized) struct MutationTests {
    static let perInput = 300

    /// Runs `load` on `cases` mutations of `file` (the engine `tessera bench fuzz` runs at scale);
    /// returns (loaded, refused). Each case is recorded in $TMPDIR/tessera-mutation-case before it
    /// is loaded, so a crash leaves its input behind.
    static func run(_ file: String, suffix: String, seed: UInt64, cases: Int = perInput, load: (String) throws -> Void) throws -> (Int, Int) {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mutation-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let input = MutationSeed(text: text, casePath: dir.appendingPathComponent("case" + suffix).path)
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mutation-case").path
        let tally = try Mutator.run([input], seed: seed, cases: 0..<cases, before: { n, text, _ in
            try "\(file) case \(n) seed \(seed)\n\(text)".write(toFile: record, atomically: false, encoding: .utf8)
        }, load: load)
        #expect(tally.multiLine == 0, "not one line: \(tally.multiLineExamples)")
        return (tally.accepted, tally.refused)
    }

    static func files(_ folder: String, _ ext: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Repo.root.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(ext) }.sorted().map { Repo.root.appendingPathComponent(folder + "/" + $0).path }
    }

    /// The crashers the loop found, kept as fixed cases: a size of 8.2e12 (it trapped in the
    /// parameter count) and 1e9 layers (it ran out of memory building the graph; in a model with a
    /// sliding window it built a window entry per layer first, which `make test`'s fuzz pass, seed 2
    /// case 315, counted as a hang).
    @Test func modelCrashersAreRefused() throws {
        let text = try String(contentsOfFile: Repo.workload("deepseek-v3"), encoding: .utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-crasher-\(getpid()).json").path
        for (old, new, expected) in [("\"moe_intermediate_size\": 2048", "\"moe_intermediate_size\": 8200000000000", "at most 1073741824"),
                                     ("\"num_hidden_layers\": 61", "\"num_hidden_layers\": 1000000000", "at most 10000 layers"),
                                     ("\"num_hidden_layers\": 61", "\"num_hidden_layers\": 20000", "at most 10000 layers"),
                                     ("\"hidden_size\": 7168", "\"hidden_size\": 1000000000", "parameter count stays under 2^50")] {
            #expect(text.contains(old))
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: false, encoding: .utf8)
            #expect { _ = try ModelGraph.load(path: path) } throws: { "\($0)".contains(expected) && !"\($0)".contains("\n") }
        }
        let mistral = try String(contentsOfFile: Repo.workload("mistral-7b-v0.1"), encoding: .utf8)
        #expect(mistral.contains("\"num_hidden_layers\": 32") && mistral.contains("\"sliding_window\""))
        try mistral.replacingOccurrences(of: "\"num_hidden_layers\": 32", with: "\"num_hidden_layers\": 1000000000")
            .write(toFile: path, atomically: false, encoding: .utf8)
        #expect { _ = try ModelGraph.load(path: path) } throws: { "\($0)".contains("at most 10000 layers") }
    }

    /// The nan/inf check of `tessera bench fuzz`: every number of a nested value is named by its
    /// path, and the first NaN, infinity or negative one is reported.
    @Test func figuresNameEveryNumberAndFindTheImpossible() {
        struct Inner { var rate: Double; var counts: [Int] }
        struct Outer { var name: String; var inner: Inner; var byKey: [String: Double]; var maybe: Double? }
        var f = Figures()
        f.addAll("x", in: Outer(name: "n", inner: Inner(rate: 2.5, counts: [3, 4]), byKey: ["k": 7], maybe: nil))
        #expect(f.values.map(\.name) == ["x.inner.rate", "x.inner.counts[0]", "x.inner.counts[1]", "x.byKey[k]"])
        #expect(f.values.map(\.value) == [2.5, 3, 4, 7])
        #expect(f.firstImpossible == nil)
        f.add("total", .infinity)
        f.add("later", -1)
        #expect(f.firstImpossible == "total = inf")
        var g = Figures()
        g.addAll("y", in: Inner(rate: -0.5, counts: []))
        #expect(g.firstImpossible == "y.rate = -0.5")
    }

    /// An accepted case with an impossible figure is counted apart from the accepted ones, and
    /// reported with its case number while its file is still there.
    @Test func impossibleFiguresAreCountedNotAccepted() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mutation-figures-\(getpid()).txt").path
        var reported: [(Int, String)] = []
        let tally = try Mutator.run([MutationSeed(text: "rate: 5\n", casePath: path)], seed: 3, cases: 0..<40,
                                    impossible: { n, figure in
            #expect(FileManager.default.fileExists(atPath: path))
            reported.append((n, figure))
        }, load: { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard let value = Double(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw CocoaError(.fileReadCorruptFile)
            }
            var f = Figures()
            f.add("rate", value)
            return f
        })
        #expect(tally.accepted + tally.refused + tally.impossible == 40)
        #expect(tally.impossible == reported.count)
        #expect(tally.impossible > 0 && tally.accepted > 0 && tally.refused > 0)
        #expect(reported.allSatisfy { $0.1.hasPrefix("rate = ") })
    }

    @Test func modelJSON() throws {
        for (i, f) in try Self.files("Workloads", ".json").enumerated() {
            _ = try Self.run(f, suffix: ".json", seed: UInt64(i + 1), cases: 150) { path in
                let graph = try ModelGraph.load(path: path)
                _ = graph.flopsPerToken
                _ = graph.weightBytes(.bf16)
            }
        }
    }

    @Test func scenarios() throws {
        for (i, f) in try Self.files("Workloads/scenarios", ".json").enumerated() {
            _ = try Self.run(f, suffix: ".json", seed: UInt64(100 + i)) { _ = try Scenario.load(path: $0) }
        }
    }

    @Test func clusterYAML() throws {
        for (i, f) in try Self.files("Clusters", ".yaml").enumerated() {
            _ = try Self.run(f, suffix: ".yaml", seed: UInt64(200 + i)) { _ = try ClusterSpec.load(path: $0) }
        }
    }

    @Test func softwareProfiles() throws {
        for (i, f) in try Self.files("Clusters/software", ".yaml").enumerated() {
            _ = try Self.run(f, suffix: ".yaml", seed: UInt64(300 + i)) { _ = try SoftwareProfile.load(path: $0) }
        }
    }

    @Test func measurementCSV() throws {
        let source = Repo.root.appendingPathComponent("Clusters/kernels/gb200").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mutation-kernels-\(getpid())")
        for (i, name) in ["gemm.csv", "context_attention.csv", "generation_attention.csv", "collectives.csv"].enumerated() {
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            _ = try Self.run(source + "/" + name, suffix: ".csv", seed: UInt64(400 + i), cases: 25) { path in
                try? FileManager.default.removeItem(atPath: dir.appendingPathComponent(name).path)
                try FileManager.default.copyItem(atPath: path, toPath: dir.appendingPathComponent(name).path)
                _ = try KernelTables.load(directory: dir.path)
            }
        }
    }

    @Test func planJSON() throws {
        let e = try evaluator("tiny-llama", "dgx-a100", input: 16, output: 8, batch: 2)
        let plan = try #require(e.plan(e.evaluate(Candidate(strategy: Strategy(tp: 2, pp: 2), batch: 2))))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mutation-plan-\(getpid()).json").path
        try encoder.encode(plan).write(to: URL(fileURLWithPath: file))
        _ = try Self.run(file, suffix: ".json", seed: 500) { _ = try Plan.load(path: $0) }
    }
}
