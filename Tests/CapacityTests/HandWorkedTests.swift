import Capacity
import Foundation
import Testing

/// The tiny spec: the same price for a rack four times as fast must win, and the figures follow
/// from the per-rack rate by the formulas of the issue.
struct HandWorkedTests {
    @Test func theFasterRackAtTheSamePriceWins() throws {
        let sweep = try Fixture.sweep()
        let rows = sweep.points.flatMap { sweep.evaluate($0).rows }
        let summaries = LayoutSummary.make(rows, costs: sweep.spec.costs)
        for workload in ["short", "mixed"] {
            let ranked = LayoutSummary.ranked(summaries.filter { $0.workload == workload })
            // Flat out, the four-times-faster rack at the same price is cheapest per token.
            let floor = ranked.filter(\.feasible).min { ($0.usdPerMillionTokens ?? .infinity) < ($1.usdPerMillionTokens ?? .infinity) }
            #expect(floor?.layout == "fast ≤5kW")
            // At the target load whole racks count: 100,000 tokens/s fills a fast rack a third;
            // 14,000 fits one small slow rack ($6,000), cheaper than a fast one ($10,000) idling.
            #expect(ranked.first?.layout == (workload == "short" ? "fast ≤5kW" : "slow node=2 cluster=1"))
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
        let summary = try #require(LayoutSummary.make(rows, costs: sweep.spec.costs).first)
        #expect(summary.tokensPerSecondPerRack == 1 / (24.0 / 56 / a + 32.0 / 56 / b))
        #expect(summary.racksNeeded == Int((14_000 / (1 / (24.0 / 56 / a + 32.0 / 56 / b))).rounded(.up)))
    }
}

/// The operating point at the target load, from one best row worked by hand.
struct AtLoadTests {
    @Test func racksPowerAndDollarsAtTheTarget() throws {
        let sweep = try Fixture.sweep()
        let rows = sweep.evaluate(sweep.points[18]).rows  // fast ≤5kW | short
        let best = try #require(rows.first { $0.role == "best" })
        let m = try #require(best.metrics)
        let s = try #require(LayoutSummary.make(rows, costs: sweep.spec.costs).first)
        // The whole rack is used: per rack is the strategy's total.
        #expect(best.racksUsed == 1 && best.spareChips == 0)
        #expect(s.tokensPerSecondPerRack == m.outputTokensPerSecond)
        #expect(s.racksNeeded == 1)
        let rho = 100_000 / m.outputTokensPerSecond
        #expect(s.loadFraction == rho)
        // 1.8 kW × (0.3 + 0.7ρ); capex $10,000 over 4 years.
        let kW = 1.8 * (0.3 + 0.7 * rho)
        #expect(abs((s.kWAtLoad ?? 0) - kW) < 1e-12)
        #expect(abs((s.joulesPerToken ?? 0) - kW * 1000 / 100_000) < 1e-12)
        let usd = (10_000 / (4 * 365.25 * 86_400) + kW * 0.1 / 3600) / 100_000 * 1e6
        #expect(abs((s.usdPerMillionTokensAtLoad ?? 0) - usd) < 1e-15)
        #expect(s.capexUSD == 10_000)
        // TTFT SLO of tiny-test.json caps the utilisation; goodput is that cap × capacity.
        let slo = try #require(best.maxTTFTMs)
        let slotS = Double(best.batch * best.dp * best.outputTokens) / m.outputTokensPerSecond
        let cap = Queueing.maxUtilisation(serviceS: slotS, servers: best.batch, budgetS: (slo - m.ttftMs) / 1000, quantile: 0.99)
        let capacityRequests = m.outputTokensPerSecond / Double(best.outputTokens)
        #expect(abs((s.goodputRequestsPerSecond ?? 0) - min(1, cap) * capacityRequests) < 1e-6)
        #expect((s.ttftP99Ms ?? .infinity) <= slo)
    }
}
