import Capacity
import Foundation
import Testing

/// Experiments: every step kind runs, the folder has what a paper needs, two runs give the same CSVs.
struct ExperimentTests {
    static let file = Fixture.folder.appendingPathComponent("tiny-experiment.yaml").path

    func runOnce(_ name: String) throws -> String {
        let experiment = try Experiment.load(path: Self.file)
        let folder = try Fixture.temporaryFolder(name)
        var timings: [(String, Double)] = []
        let tables = try experiment.run(root: Fixture.packageRoot.path, progress: { timings.append(($0, $1)) })
        try ExperimentOutput(experiment: experiment, tables: tables, provenance: ["tessera test"], timings: timings).write(to: folder)
        return folder
    }

    @Test func twoRunsGiveByteIdenticalCSVs() throws {
        let a = try runOnce("experiment-a"), b = try runOnce("experiment-b")
        let names = try FileManager.default.contentsOfDirectory(atPath: a + "/tables").sorted()
        #expect(names == ["capacity.csv", "spatial.csv", "splits.csv"])
        for name in names {
            let x = try Data(contentsOf: URL(fileURLWithPath: "\(a)/tables/\(name)"))
            let y = try Data(contentsOf: URL(fileURLWithPath: "\(b)/tables/\(name)"))
            #expect(x == y, "\(name) differs between runs")
            #expect(String(decoding: x, as: UTF8.self).split(separator: "\n").count > 2, "\(name) is empty")
        }
        // Plots in SVG and PDF, the summary, the inputs and the wall times apart.
        for plot in ["spatial", "splits", "capacity"] {
            for ext in ["svg", "pdf"] {
                let size = try FileManager.default.attributesOfItem(atPath: "\(a)/plots/\(plot).\(ext)")[.size] as? Int ?? 0
                #expect(size > 2_000, "\(plot).\(ext) is \(size) bytes")
            }
        }
        let summary = try String(contentsOfFile: a + "/summary.md", encoding: .utf8)
        #expect(summary.contains("# Experiment: tiny-experiment"))
        #expect(try String(contentsOfFile: a + "/timings.txt", encoding: .utf8).split(separator: "\n").count == 3)
        #expect(FileManager.default.fileExists(atPath: a + "/inputs/tiny-experiment.yaml"))
        #expect(FileManager.default.fileExists(atPath: a + "/inputs/spatial.csv"))
    }

    @Test func everySplitHasOneRowAndThePickIsMarkedOnce() throws {
        let tables = try Experiment.load(path: Self.file).run(root: Fixture.packageRoot.path)
        let splits = try #require(tables.first { $0.name == "splits" })
        let shape = try #require(splits.columns.firstIndex(of: "shape"))
        let pick = try #require(splits.columns.firstIndex(of: "pick"))
        let tp = try #require(splits.columns.firstIndex(of: "tp")), pp = try #require(splits.columns.firstIndex(of: "pp"))
        for s in ["node=2", "node=4"] {
            let rows = splits.rows.filter { $0[shape] == s }
            #expect(rows.filter { $0[pick] == "pick" }.count == 1)
            let keys = rows.map { "\($0[tp]) \($0[pp])" }
            #expect(Set(keys).count == keys.count)
        }
        let validation = try #require(tables.first { $0.name == "spatial" })
        let split = try #require(validation.columns.firstIndex(of: "split"))
        #expect(Set(validation.rows.map { $0[split] }) == ["fit", "holdout"])
    }

    @Test func aStepOfUnknownKindIsNamed() throws {
        let folder = try Fixture.temporaryFolder("bad-experiment")
        let path = folder + "/bad.yaml"
        try "name: bad\nsteps:\n  - simulate: { table: x }\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CapacityError(file: path, keyPath: "steps[0].simulate",
                                      message: "unknown key; expected one of validate, search, capacity, emulate")) {
            try Experiment.load(path: path)
        }
    }

    /// An emulate step's plans and variants are read whole; a bad wait policy names its key path.
    @Test func emulateStepsAreReadAndABadWaitIsNamed() throws {
        let folder = try Fixture.temporaryFolder("emulate-experiment")
        let path = folder + "/e.yaml"
        let plan = "{ name: p, model: m.json, cluster: c.yaml, tp: 2, pp: 2, batch: 4, levels: { rack: 2 } }"
        try """
            name: e
            steps:
              - emulate: { table: t, scenario: s.json, decodeSteps: 3, plans: [\(plan)],
                           variants: [{ name: a }, { name: b, wait: blocking, bind: false, maxRanks: 16 }] }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        guard case let .emulate(step) = try #require(Experiment.load(path: path).steps.first) else {
            Issue.record("not an emulate step"); return
        }
        #expect(step.plans.map(\.strategy.description) == ["TP2 PP2 DP1"])
        #expect(step.plans.first?.levels == ["rack": 2] && step.plans.first?.batch == 4 && step.decodeSteps == 3)
        #expect(step.plans.first?.scenario == folder + "/s.json")
        #expect(step.variants.map(\.name) == ["a", "b"] && step.variants.last?.maxRanks == 16 && step.variants.last?.bind == false)
        try "name: e\nsteps:\n  - emulate: { table: t, scenario: s.json, plans: [\(plan)], variants: [{ name: a, wait: busy }] }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CapacityError(file: path, keyPath: "steps[0].emulate.variants[0].wait",
                                      message: "expected auto, spin, cooperative or blocking, got busy")) {
            try Experiment.load(path: path)
        }
    }
}
