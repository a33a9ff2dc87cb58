import Foundation
import Testing
@testable import Planner

/// Hand-edited plan.json files (issue 15, index and division traps): the model config a plan
/// embeds is range-checked like a config.json, and TP/EP groups must agree with each other.
@Suite struct HostilePlanTests {
    static func plan() throws -> Plan {
        let e = try evaluator("tiny-llama", "dgx-a100", input: 16, output: 8, batch: 2)
        return try #require(e.plan(e.evaluate(Candidate(strategy: Strategy(tp: 2, pp: 2), batch: 2))))
    }

    @Test func theEmbeddedModelConfigIsRangeChecked() throws {
        let plan = try Self.plan()
        var p = plan; p.modelConfig.moeLayerFrequency = 0
        #expect(p.inconsistency == "modelConfig.moeLayerFrequency: expected 1 to 1073741824, got 0")
        p = plan; p.modelConfig.headDim = -32
        #expect(p.inconsistency == "modelConfig.headDim: expected 1 to 1073741824, got -32")
        p = plan; p.modelConfig.hiddenSize = 8_200_000_000_000
        #expect(p.inconsistency == "modelConfig.hiddenSize: expected 1 to 1073741824, got 8200000000000")
        p = plan; p.modelConfig.layers = 1_000_000_000
        #expect(p.inconsistency == "modelConfig.layers: expected at most 10000 layers (the largest supported: the graph holds every layer's ops), got 1000000000")
        p = plan; p.modelConfig.kvHeads = 3
        #expect(p.inconsistency == "modelConfig.kvHeads: expected a divisor of attentionHeads 8, got 3")
        p = plan; p.modelConfig.expertsPerToken = 2
        #expect(p.inconsistency == "modelConfig.expertsPerToken: expected at most the 0 experts, got 2")
        p = plan; p.modelLayers = 5
        #expect(p.inconsistency == "modelLayers: expected modelConfig's 4, got 5")
        p = plan; p.hiddenSize = -5
        #expect(p.inconsistency == "hiddenSize: expected modelConfig's 256, got -5")
    }

    /// A chiplet that lists another TP group than its peers did hang `emulate` until the watchdog
    /// (30 s); two chiplets at one rank sent to themselves.
    @Test func groupsMustAgreeWithEachOther() throws {
        let plan = try Self.plan()
        #expect(plan.chiplets.map(\.tpGroup) == [[0, 1], [0, 1], [2, 3], [2, 3]])
        var p = plan; p.chiplets[1].tpGroup = [3, 1]
        #expect(p.inconsistency == "chiplets[1].tpGroup: expected [0, 1] (chiplet 0 lists it in that group), got [3, 1]")
        p = plan; p.chiplets[1].tpGroup = [2, 3]
        #expect(p.inconsistency == "chiplets[1].tpGroup: expected [0, 1] (chiplet 0 lists it in that group), got [2, 3]")
        p = plan; p.chiplets[0].tpRank = 1
        #expect(p.inconsistency == "chiplets[0].tpGroup: expected chiplet 0 at its rank 1, got [0, 1]")
        p = plan; p.chiplets[2].tpGroup = [0, 2]; p.chiplets[2].tpRank = 1
        #expect(p.inconsistency == "chiplets[2].tpGroup: expected [0, 1] (the group of its first member 0), got [0, 2]")
    }

    /// Numbers that parse but mean nothing: a link or memory bandwidth of 1e-300 GB/s, or a latency of
    /// 1e308 µs, emulated to a TPOT of 1e298 ms or more and exit 0. Plans keep the cluster file's span.
    @Test func linkAndMemoryFiguresKeepTheClusterSpan() throws {
        let plan = try Self.plan()
        var p = plan; p.levels[0].bandwidthGBps = 1e-300
        #expect(p.inconsistency == "levels[0]: expected a known topology, a positive count and chipletsPerUnit, bandwidthGBps from "
            + "1e-9 to 1e12 and latencyUs and overheadUs from 0 to 1e12, got switch, 8, 8, 1e-300, 1.0 and 2.0")
        p = plan; p.levels[1].latencyUs = 1e308
        #expect(p.inconsistency?.hasSuffix("got switch, 4, \(plan.levels[1].chipletsPerUnit), 200.0, 1e+308 and 2.0") == true)
        p = plan; p.chip?.tiers[0].bandwidthGBps = 1e-300
        #expect(p.inconsistency == "chip.tiers[0]: expected bandwidthGBps from 1e-9 to 1e9 and capacityBytes from 0 to 1e21, got 1e-300 and 80000000000.0")
        p = plan; p.chip?.tiers[0].capacityBytes = 1e300
        #expect(p.inconsistency?.hasPrefix("chip.tiers[0]: expected bandwidthGBps from 1e-9") == true)
    }

    /// Through the file: one line naming the file and the key.
    @Test func aLoadedPlanNamesTheFileAndKey() throws {
        var p = try Self.plan(); p.modelConfig.headDim = -32
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-plan-\(getpid()).json").path
        try JSONEncoder().encode(p).write(to: URL(fileURLWithPath: path))
        #expect(throws: PlanFileError(path: path, reason: "inconsistent plan: modelConfig.headDim: expected 1 to 1073741824, got -32; "
                                                         + "write it again with `tessera plan -o`")) {
            try Plan.load(path: path)
        }
    }
}
