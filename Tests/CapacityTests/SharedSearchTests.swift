import Capacity
import Foundation
import Testing

/// Layouts that differ only in price share one planner search; layouts that differ in rack count
/// share the per-chip work (sharded models, stage splits, kernel costs). Either way the rows are
/// exactly those of separate runs.
struct SharedSearchTests {
    /// A spec over the tiny rack with the given layouts (YAML list items) and one workload.
    static func sweep(_ layouts: String) throws -> CapacitySweep {
        let yaml = """
            name: shared
            costs: { powerUSDPerKWh: 0.1, amortisationYears: 4 }
            workloads:
              - name: mixed
                model: ../../../Workloads/tiny-llama.json
                scenario: ../../../Workloads/scenarios/tiny-test.json
                targetRequestsPerSecond: 1000
                lengths:
                  - { inputTokens: 16, outputTokens: 8, share: 3 }
                  - { inputTokens: 64, outputTokens: 32, share: 1 }
            layouts:
            \(layouts)
            """
        return try CapacitySweep(try CapacitySpec.parse(yaml: yaml, file: "shared.yaml", folder: Fixture.folder.path))
    }

    static func layout(_ name: String, racks: [Int], capex: Int) -> String {
        "  - { name: \(name), cluster: tiny-rack.yaml, levels: { cluster: \(racks) }, capexPerChipUSD: \(capex) }"
    }

    static func rows(_ sweep: CapacitySweep) -> [ResultRow] { sweep.points.flatMap { sweep.evaluate($0).rows } }

    @Test func layoutsDifferingOnlyInPriceRunOneSearch() throws {
        let both = try Self.sweep(Self.layout("cheap", racks: [1], capex: 1000) + "\n" + Self.layout("dear", racks: [1], capex: 3000))
        let together = Self.rows(both)
        // Two layouts × two length buckets, but one search per bucket.
        #expect(both.points.count == 2)
        #expect(both.searchesRun == 2)
        let cheap = Self.rows(try Self.sweep(Self.layout("cheap", racks: [1], capex: 1000)))
        var dear = Self.rows(try Self.sweep(Self.layout("dear", racks: [1], capex: 3000)))
        for i in dear.indices { dear[i].point = 1 }
        #expect(together == cheap + dear)
        // The price reached the rows: the dearer layout costs more per token.
        let perToken = { (rows: [ResultRow]) in rows.first { $0.role == "best" }?.usdPerMillionTokens ?? 0 }
        #expect(perToken(dear) > perToken(cheap))
    }

    @Test func layoutsDifferingOnlyInRackCountShareTheirPerChipWork() throws {
        let both = try Self.sweep(Self.layout("tiny", racks: [1, 2], capex: 1000))
        let together = Self.rows(both)
        // A second rack adds strategies that span racks, so each rack count has its own search
        // (one per bucket), but all four start from one memo per bucket.
        #expect(both.searchesRun == 4)
        #expect(both.memosStarted == 2)
        let one = Self.rows(try Self.sweep(Self.layout("tiny", racks: [1], capex: 1000)))
        var two = Self.rows(try Self.sweep(Self.layout("tiny", racks: [2], capex: 1000)))
        for i in two.indices { two[i].point = 1 }
        #expect(together == one + two)
        #expect(Set(two.map(\.racks)) == [2])
    }
}
