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
        let tables = try experiment.run(root: Fixture.packageRoot.path) { timings.append(($0, $1)) }
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
        try "name: bad\nsteps:\n  - emulate: { table: x }\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CapacityError(file: path, keyPath: "steps[0].emulate", message: "unknown key; expected one of validate, search, capacity")) {
            try Experiment.load(path: path)
        }
    }
}
