import Capacity
import Foundation
import Testing

/// The tiny spec: the same price for a rack four times as fast must win, and the figures follow
/// from the per-rack rate by the formulas of the issue.
struct HandWorkedTests {
    @Test func theFasterRackAtTheSamePriceWins() throws {
        let sweep = try Fixture.sweep()
        let rows = sweep.points.flatMap { sweep.evaluate($0).rows }
        let summaries = LayoutSummary.make(rows)
        for workload in ["short", "mixed"] {
            let ranked = LayoutSummary.ranked(summaries.filter { $0.workload == workload })
            #expect(ranked.first?.layout == "fast ≤5kW")
            #expect(ranked.last?.layout == "fast ≤1kW")
            #expect(ranked.last?.note == "a rack draws 1.8 kW, over the 1 kW budget")
        }
        let short = summaries.filter { $0.workload == "short" }
        let fast = try #require(short.first { $0.layout == "fast ≤5kW" }?.tokensPerSecondPerRack)
        let slow = try #require(short.first { $0.layout == "slow node=4 cluster=1" }?.tokensPerSecondPerRack)
        let half = try #require(short.first { $0.layout == "slow node=2 cluster=1" }?.tokensPerSecondPerRack)
        // Four times the FLOPs and bytes/s, same batch and strategy (TP1, no communication): 4× the rate.
        #expect(abs(fast / slow - 4) < 1e-9)
        // Half the chips per rack: half the rate per rack.
        #expect(abs(slow / half - 2) < 1e-9)
    }

    @Test func dollarsAndRacksFollowFromThePerRackRate() throws {
        let sweep = try Fixture.sweep()
        let point = sweep.points[18]  // fast ≤5kW | short
        let best = try #require(sweep.evaluate(point).rows.first { $0.role == "best" })
        let perRack = try #require(best.metrics?.outputTokensPerSecondPerRack)
        // Capex 8 × $1,000 + $2,000 over 4 years, plus 1.8 kW at $0.10/kWh, per token.
        let perSecondUSD = 10_000 / (4 * 365.25 * 86_400) + 1.8 * 0.1 / 3600
        #expect(best.usdPerMillionTokens == perSecondUSD / perRack * 1e6)
        #expect(best.racksNeeded == Int((100_000 / perRack).rounded(.up)))
        #expect(Costs.racksNeeded(load: 100_000, tokensPerSecondPerRack: 50_000) == 2)
        #expect(Costs.racksNeeded(load: 100_001, tokensPerSecondPerRack: 50_000) == 3)
    }

    @Test func bucketsCombineByTheirShareOfTokens() throws {
        let sweep = try Fixture.sweep()
        let rows = sweep.evaluate(sweep.points[19]).rows  // fast ≤5kW | mixed
        let best = rows.filter { $0.role == "best" }
        #expect(best.map(\.bucket) == [0, 1])
        let a = try #require(best[0].metrics?.outputTokensPerSecondPerRack), b = try #require(best[1].metrics?.outputTokensPerSecondPerRack)
        // Token shares: 3 × 8 = 24 and 1 × 32 = 32 of 56.
        let summary = try #require(LayoutSummary.make(rows).first)
        #expect(summary.tokensPerSecondPerRack == 1 / (24.0 / 56 / a + 32.0 / 56 / b))
        #expect(summary.racksNeeded == Int((14_000 / (1 / (24.0 / 56 / a + 32.0 / 56 / b))).rounded(.up)))
    }
}
