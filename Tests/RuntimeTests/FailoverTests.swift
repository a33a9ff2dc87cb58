import CostModel
import Planner
@testable import Runtime
import Testing

/// `--fail`: a chiplet lost at a virtual time; its role moves to a spare and the run goes on.
/// The tiny model as TP 2 × PP 2 on the Corsair-style rack: roles 0–3 fill package 0 (chiplets
/// 0–3), so the nearest spare is chiplet 4, on the other package of the same card.
struct FailoverTests {
    static func plan() throws -> Plan { try Fixtures.plan(tp: 2, pp: 2) }

    @Test func theFailureTimeParsesWithItsUnit() throws {
        #expect(try FailureSpec.parse("5@2ms") == FailureSpec(chiplet: 5, atS: 0.002))
        #expect(try FailureSpec.parse("0@250us").atS == 250e-6)
        #expect(try FailureSpec.parse("3@1.5s").atS == 1.5)
        #expect(throws: FailoverError(description: "--fail: expected CHIPLET@TIME such as 5@2ms, got \"5\"")) {
            try FailureSpec.parse("5")
        }
        #expect(throws: FailoverError(description: "--fail: expected a time from 0 to 86400 s with its unit (2ms, 250us, 1.5s), got \"2\"")) {
            try FailureSpec.parse("5@2")
        }
    }

    @Test func theRoleMovesToTheNearestSpareAndReloadsFromStorage() throws {
        let plan = try Self.plan()
        let f = try Failover.make(plan: plan, spec: FailureSpec(chiplet: 1, atS: 0), oneReplica: false)
        #expect(f.role == 1 && f.spare == 4)
        // One replica: nobody else holds the shard, so the weights come over the outermost link.
        #expect(f.source == nil && f.reloadLevel == plan.levels.count - 1)
        let stage0 = plan.stages[0].layerClasses.flatMap { plan.layerClasses[$0].ops } + plan.head.ops
        #expect(f.reloadBytes == stage0.reduce(0) { $0 + $1.weightBytes })
        #expect(f.reloadS == plan.hierarchy.pointToPointS(bytes: f.reloadBytes, level: f.reloadLevel))
        #expect(throws: FailoverError(description: "--fail: chiplet 9 holds no role of this plan (its 4 roles run on 0-3)")) {
            try Failover.make(plan: plan, spec: FailureSpec(chiplet: 9, atS: 0), oneReplica: false)
        }
    }

    @Test func aLossCostsDetectionReloadAndRedoAndDelaysTheRun() throws {
        let plan = try Self.plan()
        let clean = try Fixtures.emulate(plan)
        var options = EmulationOptions()
        options.failure = FailureSpec(chiplet: 1, atS: 0, detectS: 0.010)
        let hit = try Fixtures.emulate(plan, options)
        let cut = try #require(hit.interruption)
        let f = try #require(hit.failover)
        // Lost at the very start of prefill: nothing to redo yet.
        #expect(cut.step == -1 && cut.lostAtS == 0 && cut.redoS == 0)
        #expect(cut.detectS == 0.010 && cut.reloadS == f.reloadS)
        // The role's TP peer and the next stage wait for it: the whole prefill moves by the loss.
        #expect(hit.ttftMs >= clean.ttftMs + cut.lostS * 1000 * 0.99)
        #expect(hit.report.contains("failure: chiplet 1 (role 1: stage 0, TP rank 1, DP rank 0) lost at 0 ms in prefill; its role moved to spare chiplet 4"))
    }

    @Test func aFailureAfterTheRunInterruptsNothing() throws {
        var options = EmulationOptions()
        options.failure = FailureSpec(chiplet: 2, atS: 100)
        let result = try Fixtures.emulate(try Self.plan(), options)
        #expect(result.interruption == nil)
        #expect(result.report.contains("was to be lost at 1e+05 ms, but its role had finished at"))
    }

    @Test func aLossMidDecodeRedoesTheStepInFlight() throws {
        let plan = try Self.plan()
        let clean = try Fixtures.emulate(plan)
        var options = EmulationOptions()
        options.failure = FailureSpec(chiplet: 3, atS: (clean.ttftMs + 1.5 * clean.tpotMs) / 1000, detectS: 0)
        let cut = try #require(try Fixtures.emulate(plan, options).interruption)
        #expect(cut.step >= 0 && cut.redoS > 0 && cut.lostAtS >= options.failure?.atS ?? 0)
    }

    /// A placed plan runs where it was placed: TP partners split over the card's two packages
    /// talk over the slower card link, so prefill takes longer than on one package.
    @Test func aPlacedPlanRunsOnItsChipletsLinks() throws {
        let plan = try Self.plan()
        var split = plan
        split.placement = Plan.Placement(available: "0-255", chiplets: [0, 4, 1, 5], channelTier: "SRAM", chipletsPerChannel: 1,
                                         channels: [0, 4, 1, 5], availableChannels: "0-255", ideal: plan.predicted)
        #expect(split.inconsistency == nil)
        #expect(LinkModel(plan).level(0, 1) == 0 && LinkModel(split).level(0, 1) == 1)
        #expect(try Fixtures.emulate(split).ttftMs > Fixtures.emulate(plan).ttftMs)
    }
}
