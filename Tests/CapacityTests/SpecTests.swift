import Capacity
import Foundation
import Testing

/// Reading specs: layouts expand in a fixed order; bad input names the file and key path.
struct SpecTests {
    @Test func layoutsExpandShapesThenLinksThenBudgets() throws {
        let sweep = try Fixture.sweep()
        #expect(sweep.layouts.map(\.name) == [
            "slow node=2 cluster=1", "slow node=2 cluster=1 link=fat",
            "slow node=2 cluster=2", "slow node=2 cluster=2 link=fat",
            "slow node=4 cluster=1", "slow node=4 cluster=1 link=fat",
            "slow node=4 cluster=2", "slow node=4 cluster=2 link=fat",
            "fast ≤1kW", "fast ≤5kW",
        ])
        #expect(sweep.points.count == 20)
        #expect(sweep.points[3].key == "slow node=2 cluster=1 link=fat | mixed")
        #expect(sweep.layouts[1].cluster.levels[1].link.bandwidthGBps == 40)
        #expect(sweep.layouts[6].cluster.totalChips == 16)
        // 8 chips × 100 W + 2 nodes × 200 W + 600 W.
        #expect(sweep.layouts[9].rackPowerKW == 1.8)
        #expect(sweep.layouts[9].capexPerRackUSD == 10_000)
    }

    @Test func requestTargetsUseTheShareWeightedMeanOutput() throws {
        let sweep = try Fixture.sweep()
        #expect(sweep.targetTokensPerSecond(0) == 100_000)
        // 1000 requests/s × (3 × 8 + 1 × 32) / 4 tokens.
        #expect(sweep.targetTokensPerSecond(1) == 14_000)
        #expect(sweep.buckets(1).map(\.outputTokens) == [8, 32])
    }

    @Test func unknownKeysNameTheirPath() {
        let yaml = """
            name: x
            costs: { powerUSDPerKWh: 0.1, amortisationYears: 4 }
            workloads: [{ name: a, model: m.json, scenario: s.json, targetTokensPerSecond: 5, maxTTFT: 3 }]
            layouts: [{ name: l, cluster: c.yaml, capexPerChipUSD: 1 }]
            """
        #expect(throws: CapacityError(file: "x.yaml", keyPath: "workloads[0].maxTTFT",
                                      message: "unknown key; expected one of name, model, scenario, lengths, targetTokensPerSecond, targetRequestsPerSecond, maxTTFTMs, maxTPOTMs")) {
            try CapacitySpec.parse(yaml: yaml, file: "x.yaml", folder: "/")
        }
    }

    @Test func aWorkloadNeedsExactlyOneTarget() {
        let yaml = """
            name: x
            costs: { powerUSDPerKWh: 0.1, amortisationYears: 4 }
            workloads: [{ name: a, model: m.json, scenario: s.json }]
            layouts: [{ name: l, cluster: c.yaml, capexPerChipUSD: 1, levels: { rack: [2, -1] } }]
            """
        #expect(throws: CapacityError(file: "x.yaml", keyPath: "workloads[0].targetTokensPerSecond",
                                      message: "expected exactly one of targetTokensPerSecond and targetRequestsPerSecond")) {
            try CapacitySpec.parse(yaml: yaml, file: "x.yaml", folder: "/")
        }
    }

    /// A `make fuzz` crasher, kept as found (Fixtures/crashers/capacity-seed-1-case-104.yaml, a
    /// mutation of Experiments/llama-3-70b-corsair.yaml): a level count of 2^63-1 trapped converting
    /// to Int. Counts are now at most 2^20, like cluster levels.
    @Test func fuzzCrashersAreRefused() throws {
        let path = Fixture.folder.appendingPathComponent("crashers/capacity-seed-1-case-104.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let folder = Fixture.packageRoot.appendingPathComponent("Experiments").path
        #expect(throws: CapacityError(file: path, keyPath: "layouts[0].levels.rack[0]",
                                      message: "expected a positive whole number of at most 1048576 (2^20), got 9.223372036854776e+18")) {
            try CapacitySpec.parse(yaml: text, file: path, folder: folder)
        }
    }

    /// A `make fuzz` crasher (seed 1, capacity case 100329, a mutation of
    /// Experiments/llama-3-70b-gb200-nvl72.yaml): a rack power budget of 2^63-1 kW passed the loader
    /// and trapped in `Int()` naming the layout. Spec numbers are now at most 1e15.
    @Test func hugeNumbersAreRefused() throws {
        let text = try String(contentsOfFile: Fixture.packageRoot.appendingPathComponent("Experiments/llama-3-70b-gb200-nvl72.yaml").path,
                              encoding: .utf8)
        let folder = Fixture.packageRoot.appendingPathComponent("Experiments").path
        for huge in ["9223372036854775807", "1e300"] {
            let yaml = text.replacingOccurrences(of: "rackPowerBudgetKW: [132]", with: "rackPowerBudgetKW: [\(huge)]")
            #expect(yaml != text)
            #expect(throws: CapacityError(file: "x.yaml", keyPath: "layouts[0].rackPowerBudgetKW[0]",
                                          message: "expected a positive number of kW up to 1e15, got \(huge)")) {
                try CapacitySpec.parse(yaml: yaml, file: "x.yaml", folder: folder)
            }
        }
    }

    /// Yams quotes the offending lines in its error; the spec's error stays one line.
    @Test func yamlErrorsAreOneLine() {
        #expect { try CapacitySpec.parse(yaml: "name: x\nname: y\n", file: "x.yaml", folder: "/") } throws: {
            "\($0)" == "x.yaml: duplicate key name (first at line 1)"
        }
        #expect { try CapacitySpec.parse(yaml: "a: [1, 2\nb: 3\n", file: "x.yaml", folder: "/") } throws: {
            "\($0)".hasPrefix("x.yaml: YAML syntax error at line ") && !"\($0)".contains("\n")
        }
    }

    @Test func levelCountsMustBePositive() {
        let yaml = """
            name: x
            costs: { powerUSDPerKWh: 0.1, amortisationYears: 4 }
            workloads: [{ name: a, model: m.json, scenario: s.json, targetTokensPerSecond: 5 }]
            layouts: [{ name: l, cluster: c.yaml, capexPerChipUSD: 1, levels: { rack: [2, -1] } }]
            """
        #expect(throws: CapacityError(file: "x.yaml", keyPath: "layouts[0].levels.rack[1]",
                                      message: "expected a positive number of units, got -1")) {
            try CapacitySpec.parse(yaml: yaml, file: "x.yaml", folder: "/")
        }
    }

    @Test func theBuiltInSpecLoadsFromTheProjectRoot() throws {
        let sweep = try CapacitySweep(try CapacitySpec.builtIn(root: Fixture.packageRoot.path))
        #expect(sweep.layouts.map(\.name) == ["gb200-nvl72 rack=36 cluster=1", "gb200-nvl72 rack=72 cluster=1",
                                              "hgx-b200 rack=4 cluster=1", "corsair", "groq cluster=1", "groq cluster=8"])
        #expect(sweep.inputFiles.count == 6)
    }
}
