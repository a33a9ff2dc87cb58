import Capacity
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
