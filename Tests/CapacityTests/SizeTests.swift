import Foundation
import Testing
@testable import Capacity

/// Bounded work (issue 15): a sweep's points are counted from the spec before any layout is built
/// and refused past --max-points; a point whose search is too large gets a note, not a search; a
/// target of 1e308 tokens/s is refused at load, not after the sweep in report formatting.
@Suite struct SizeTests {
    /// tiny.yaml: slow is node [2, 4] × cluster [1, 2] × (file's link + fat) = 8 layouts, fast is
    /// 2 power budgets; 10 layouts × 2 workloads.
    @Test func pointsAreCountedBeforeTheLayoutsAreBuilt() throws {
        let spec = try CapacitySpec.load(path: Fixture.tinySpec)
        #expect(spec.pointCount == 20)
        #expect(try CapacitySweep(spec, maxPoints: 20).points.count == 20)
        #expect(throws: CapacityError(file: Fixture.tinySpec, keyPath: "layouts",
                                      message: "expected at most 19 points (layouts × workloads; raise it with --max-points), got 20")) {
            try CapacitySweep(spec, maxPoints: 19)
        }
        var huge = spec
        huge.layouts[0].levelCounts = [("node", Array(1...1_048_576)), ("cluster", Array(1...1_048_576))]
        #expect(huge.pointCount > 1 << 40)
        #expect(throws: CapacityError.self) { try CapacitySweep(huge) }
    }

    @Test func aSearchPastTheLimitIsANoteNotASearch() throws {
        let sweep = try CapacitySweep(try CapacitySpec.load(path: Fixture.tinySpec), maxCandidates: 1)
        let (rows, candidates) = sweep.evaluate(sweep.points[0])
        #expect(candidates == 0)
        #expect(rows.count == 1 && rows[0].role == "none")
        #expect(rows[0].note.hasPrefix("the search could price "))
        #expect(rows[0].note.hasSuffix(" candidates, over the limit of 1 (raise it with --max-candidates)"))
    }

    @Test func meaninglessTargetsAreRefusedAtLoad() {
        let yaml = """
            name: x
            costs: { powerUSDPerKWh: 0.1, amortisationYears: 4 }
            workloads: [{ name: a, model: m.json, scenario: s.json, targetTokensPerSecond: 1e308 }]
            layouts: [{ name: l, cluster: c.yaml, capexPerChipUSD: 1 }]
            """
        #expect(throws: CapacityError(file: "x.yaml", keyPath: "workloads[0].targetTokensPerSecond",
                                      message: "expected a positive number of output tokens/s, at least 1e-9 and at most 1e12 "
                                        + "(wider values overflow times, rates and reports), got 1e308")) {
            try CapacitySpec.parse(yaml: yaml, file: "x.yaml", folder: "/")
        }
        #expect(throws: CapacityError(file: "x.yaml", keyPath: "workloads[0].targetTokensPerSecond",
                                      message: "expected a positive number of output tokens/s, got 1.8e308")) {
            try CapacitySpec.parse(yaml: yaml.replacingOccurrences(of: "1e308", with: "1.8e308"), file: "x.yaml", folder: "/")
        }
        #expect(throws: CapacityError.self) {
            try CapacitySpec.parse(yaml: yaml.replacingOccurrences(of: "1e308", with: "1e-300"), file: "x.yaml", folder: "/")
        }
    }

    /// Level counts of 1e26 (and 2^63, SpecTests) were Int() traps; 4.3e9 racks hung the sweep.
    @Test func absurdLevelCountsAreRefused() {
        for count in ["1e26", "4300000000"] {
            let yaml = """
                name: x
                costs: { powerUSDPerKWh: 0.1, amortisationYears: 4 }
                workloads: [{ name: a, model: m.json, scenario: s.json, targetTokensPerSecond: 5 }]
                layouts: [{ name: l, cluster: c.yaml, capexPerChipUSD: 1, levels: { cluster: [\(count)] } }]
                """
            #expect(throws: CapacityError(file: "x.yaml", keyPath: "layouts[0].levels.cluster[0]",
                                          message: "expected a positive whole number of at most 1048576 (2^20), got \(Double(count) ?? 0)")) {
                try CapacitySpec.parse(yaml: yaml, file: "x.yaml", folder: "/")
            }
        }
    }
}
