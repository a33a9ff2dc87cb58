import ClusterSpec
import CostModel
import Foundation
@testable import Planner
import Testing

/// Just-in-time placement (`Placer`, `Evaluator.place`) on DGX-H100 (nodes of 8, racks of 4
/// nodes, 256 GPUs): Llama-3-8B as TP 8 × DP 4, 32 roles.
struct PlacementTests {
    static func tp8dp4() throws -> (Evaluator, Plan) {
        let e = try evaluator("llama-3-8b", "dgx-h100", input: 1024, output: 128, batch: 8)
        let plan = try #require(e.plan(e.evaluate(Candidate(strategy: Strategy(tp: 8, dp: 4), batch: 8))))
        return (e, plan)
    }

    func place(_ spec: String) throws -> (Evaluator, Plan) {
        let (e, plan) = try Self.tp8dp4()
        let free = try ChipletSet.parse(spec, count: 256, what: "--available")
        return (e, try e.place(plan, available: free, channels: ChipletSet(all: 256)))
    }

    /// Which node each TP group's members sit on.
    func nodesOfTPGroups(_ plan: Plan) -> [Set<Int>] {
        plan.chiplets.filter { $0.tpRank == 0 }.map { c in Set(c.tpGroup.map { plan.positions[$0] / 8 }) }
    }

    @Test func aFreeClusterGivesTheIdealPlacementAtNoSlowdown() throws {
        let (_, placed) = try place("all")
        let p = try #require(placed.placement)
        #expect(p.chiplets == Array(0..<32))
        #expect(p.available == "0-255")
        #expect(placed.predicted == p.ideal)
        #expect(placed.roles?.distances == ["tp": "node"])
    }

    @Test func aTPGroupWithALostChipletMovesWholeIntoAFreeNode() throws {
        let (_, placed) = try place("all-except:3")
        // Group 0 (roles 0–7) loses chiplet 3: no node it shares has 8 free, so it goes whole to
        // the first free node (chiplets 32–39); the other groups keep their chiplets.
        #expect(Array(placed.positions[0..<8]) == Array(32..<40))
        #expect(Array(placed.positions[8..<32]) == Array(8..<32))
        #expect(nodesOfTPGroups(placed).allSatisfy { $0.count == 1 })
        #expect(placed.predicted.tpotMs == placed.placement?.ideal.tpotMs)
        #expect(placed.chiplets[0].coordinates == [0, 0, 1])  // chiplet 32: first of node 0 of rack 1
    }

    @Test func groupsForcedAcrossNodesSlowTheStepDown() throws {
        // Five nodes with 7 free each: no TP group of 8 fits in a node.
        let (_, placed) = try place("0-6,8-14,16-22,24-30,32-38")
        #expect(nodesOfTPGroups(placed).allSatisfy { $0.count == 2 })
        let ideal = try #require(placed.placement?.ideal)
        #expect(placed.predicted.tpotMs > ideal.tpotMs)
        #expect(placed.predicted.outputTokensPerSecond < ideal.outputTokensPerSecond)
        #expect(placed.groupReport(on: Hierarchy(try ClusterSpec.load(path: Repo.cluster("dgx-h100"))))
            == ["TP groups: 3 inside one rack, 1 inside one cluster (planned: node)"])
    }

    @Test func tooFewFreeChipletsAreRefusedInOneLine() throws {
        let (e, plan) = try Self.tp8dp4()
        let free = try ChipletSet.parse("0-30", count: 256, what: "--available")
        #expect(throws: PlacementError(description: "the plan has 32 roles but only 31 of the cluster's 256 chiplets are free and usable (1 short)")) {
            try e.place(plan, available: free, channels: ChipletSet(all: 256))
        }
        // A lost memory channel takes its chiplet out: 32 free chiplets, one without its HBM.
        let exact = try ChipletSet.parse("0-31", count: 256, what: "--available")
        let channels = try ChipletSet.parse("all-except:5", count: 256, what: "--channels")
        #expect(throws: PlacementError.self) { try e.place(plan, available: exact, channels: channels) }
    }

    @Test func aSpareIsTheNearestFreeChiplet() throws {
        let h = Hierarchy(try ClusterSpec.load(path: Repo.cluster("dgx-h100")))
        var usable = [Bool](repeating: false, count: 256)
        for c in [7, 40, 200] { usable[c] = true }
        #expect(Placer.spare(near: 3, on: h, usable: usable) == 7)    // same node
        #expect(Placer.spare(near: 33, on: h, usable: usable) == 40)  // same rack (1), not node
        #expect(Placer.spare(near: 130, on: h, usable: usable) == 7)  // across the cluster: lowest id
        #expect(Placer.spare(near: 3, on: h, usable: [Bool](repeating: false, count: 256)) == nil)
    }

    @Test func chipletSetsParseAsDocumented() throws {
        #expect(try ChipletSet.parse("0-3,6", count: 8, what: "x").contains == [true, true, true, true, false, false, true, false])
        #expect(try ChipletSet.parse("all-except:1-2,7", count: 8, what: "x").text == "0,3-6")
        #expect(try ChipletSet.parse("none", count: 4, what: "x").text == "none")
        #expect(try ChipletSet.parse("all", count: 4, what: "x").text == "0-3")
        #expect(throws: ChipletSetError(description: "--available: 8 is out of range; ids run from 0 to 7")) {
            try ChipletSet.parse("2-8", count: 8, what: "--available")
        }
        #expect(throws: ChipletSetError(description: "--available: range 5-2 runs backwards")) {
            try ChipletSet.parse("5-2", count: 8, what: "--available")
        }
        #expect(throws: ChipletSetError(description: "--available: expected an id or a range like 0-511, got \"-1\"")) {
            try ChipletSet.parse("-1", count: 8, what: "--available")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("free-\(getpid()).txt").path
        try "# free after the reboot\n0\n2-3  # a pair\n\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ChipletSet.load("@" + file, count: 8, what: "x").text == "0,2-3")
        try "0\nseven\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: ChipletSetError(description: "x: \(file) line 2: expected an id or a range like 0-511, got \"seven\"")) {
            try ChipletSet.load(file, count: 8, what: "x")
        }
    }

    @Test func aHandEditedPlacementIsRefusedOnLoad() throws {
        let (_, placed) = try place("all-except:3")
        var bad = placed
        let first = placed.positions[0]
        bad.placement?.chiplets[1] = first
        #expect(bad.inconsistency == "placement.chiplets: a chiplet holds two roles")
        bad = placed
        bad.placement?.chiplets[0] = 3
        bad.placement?.channels[0] = 3
        #expect(bad.inconsistency == "placement.chiplets: 3 is not in placement.available")
        bad = placed
        bad.placement?.available = "0-999"
        #expect(bad.inconsistency == "placement.available: 999 is out of range; ids run from 0 to 255")
        bad = placed
        bad.roles?.distances["tp"] = "galaxy"
        #expect(bad.inconsistency == "roles.distances.tp: \"galaxy\" is not one of the plan's levels")
        bad = placed
        bad.levels[0].count = Int.max / 2
        #expect(bad.inconsistency == "levels: their counts multiply past 16777216 chiplets")
        // And the placed plan itself round-trips through the loader.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("placed-\(getpid()).json").path
        try JSONEncoder().encode(placed).write(to: URL(fileURLWithPath: path))
        #expect(try Plan.load(path: path).placement == placed.placement)
    }
}
