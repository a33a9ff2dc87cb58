import ClusterSpec
import CostModel
import Foundation
import ModelGraph
import Testing
@testable import Planner

/// A seeded mutation loop over every shipped loader input (issue 15): numbers flipped to 0, −1,
/// huge, tiny or NaN, keys and lines deleted, types changed. Each loader must return a value or
/// throw a typed error; a trap kills the test process, which is the failure signal. The case being
/// run is written to $TMPDIR/tessera-mutation-case first, so a crash leaves its input behind.
@Suite(.serialized) struct MutationTests {
    static let perInput = 300

    /// xorshift64*: deterministic and the same on every host.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        init(state: UInt64) { self.state = state | 1 }
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
    }

    static let replacements = ["0", "-1", "1e300", "1e-300", "9223372036854775807", "-9223372036854775808", "4294967296",
                               "8.2e12", "1000000000", "NaN", ".nan", "-0", "2.5", "\"x\"", "[]", "{}", "null", "true"]

    /// One text mutation: a number token replaced, a line deleted or duplicated, or a token cut.
    static func mutate(_ text: String, _ rng: inout Seeded) -> String {
        var lines = text.components(separatedBy: "\n")
        guard !lines.isEmpty else { return text }
        let i = Int.random(in: 0..<lines.count, using: &rng)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: lines.remove(at: i)
        case 1: lines.insert(lines[i], at: i)
        default:
            let line = lines[i]
            let numbers = numberRanges(line)
            if let r = numbers.randomElement(using: &rng) {
                lines[i] = line.replacingCharacters(in: r, with: replacements.randomElement(using: &rng)!)
            } else if !line.isEmpty {
                lines[i] = String(line.prefix(Int.random(in: 0..<line.count, using: &rng)))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func numberRanges(_ line: String) -> [Range<String.Index>] {
        var out: [Range<String.Index>] = []
        var i = line.startIndex
        while i < line.endIndex {
            if line[i].isNumber || (line[i] == "-" && line.index(after: i) < line.endIndex && line[line.index(after: i)].isNumber) {
                var j = line.index(after: i)
                while j < line.endIndex, line[j].isNumber || ".eE+-".contains(line[j]) { j = line.index(after: j) }
                out.append(i..<j)
                i = j
            } else {
                i = line.index(after: i)
            }
        }
        return out
    }

    /// Runs `load` on `perInput` mutations of `file`; returns (loaded, refused).
    static func run(_ file: String, suffix: String, seed: UInt64, cases: Int = perInput, load: (String) throws -> Void) throws -> (Int, Int) {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mutation-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("case" + suffix).path
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mutation-case").path
        var rng = Seeded(state: seed)
        var loaded = 0, refused = 0
        for n in 0..<cases {
            var mutated = text
            for _ in 0..<Int.random(in: 1...3, using: &rng) { mutated = mutate(mutated, &rng) }
            try mutated.write(toFile: path, atomically: false, encoding: .utf8)
            try "\(file) case \(n) seed \(seed)\n\(mutated)".write(toFile: record, atomically: false, encoding: .utf8)
            do { try load(path); loaded += 1 } catch { refused += 1; #expect(!"\(error)".contains("\n"), "not one line: \(error)") }
        }
        return (loaded, refused)
    }

    static func files(_ folder: String, _ ext: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Repo.root.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(ext) }.sorted().map { Repo.root.appendingPathComponent(folder + "/" + $0).path }
    }

    /// The crashers the loop found, kept as fixed cases: a size of 8.2e12 (it trapped in the
    /// parameter count) and 1e9 layers (it ran out of memory building the graph).
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
