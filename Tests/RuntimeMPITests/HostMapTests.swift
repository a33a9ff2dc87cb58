import HostTopology
import Testing
@testable import RuntimeMPI

@Suite struct HostMapTests {
    /// Chiplets of a TP × PP (× DP) plan laid out as the planner numbers them: TP innermost.
    func roles(tp: Int, pp: Int, dp: Int = 1) -> [HostMap.Role] {
        (0..<(tp * pp * dp)).map { index in
            HostMap.Role(rank: index, stage: (index / tp) % pp, tpRank: index % tp, dpRank: index / (tp * pp),
                         tpGroup: index - index % tp)
        }
    }

    @Test func ranksWithinCoresTakeOneCoreEachInLogicalOrder() throws {
        let topology = try Topology(synthetic: "pack:2 core:4 pu:2")
        let map = HostMap(roles: roles(tp: 2, pp: 2), hosts: [], puIndicesByCore: topology.puIndicesByCore)
        #expect(map.bindingLines == ["0 0,1", "1 2,3", "2 4,5", "3 6,7"])
        #expect(map.machinefile == ["localhost:4"])
    }

    @Test func aTPGroupMovesToTheNextL3RatherThanStraddleTwo() throws {
        // Two L3s of 6 cores. TP 4 × PP 2 in order would put group 1 on cores 4–7, across both L3s;
        // it starts at core 6 instead.
        let topology = try Topology(synthetic: "pack:1 l3:2 core:6 pu:1")
        #expect(topology.puIndicesByCacheDomain == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])
        let map = HostMap(roles: roles(tp: 4, pp: 2), hosts: [], puIndicesByCore: topology.puIndicesByCore,
                          domains: topology.puIndicesByCacheDomain)
        #expect(map.entries.map { $0.pus[0] } == [0, 1, 2, 3, 6, 7, 8, 9])
        // With no core to spare (TP 4 × PP 3 on 12 cores) the middle group has to straddle.
        let full = HostMap(roles: roles(tp: 4, pp: 3), hosts: [], puIndicesByCore: topology.puIndicesByCore,
                           domains: topology.puIndicesByCacheDomain)
        #expect(full.entries.map { $0.pus[0] } == Array(0..<12))
    }

    @Test func numaNodesAreTheDomainsWhenThereAreMoreOfThemThanL3s() throws {
        // Two NUMA nodes of 4 cores under one L3: with TP 3 × PP 2, group 1 moves whole to node 1.
        let topology = try Topology(synthetic: "pack:1 l3:1 numa:2 core:4 pu:1")
        #expect(topology.puIndicesByCacheDomain == [[0, 1, 2, 3], [4, 5, 6, 7]])
        let map = HostMap(roles: roles(tp: 3, pp: 2), hosts: [], puIndicesByCore: topology.puIndicesByCore,
                          domains: topology.puIndicesByCacheDomain)
        #expect(map.entries.map { $0.pus[0] } == [0, 1, 2, 4, 5, 6])
    }

    @Test func ranksWithinPUsPutTPPairsOnTheHyperthreadsOfOneCore() throws {
        let topology = try Topology(synthetic: "pack:1 core:4 pu:2")
        let map = HostMap(roles: roles(tp: 2, pp: 3), hosts: [], puIndicesByCore: topology.puIndicesByCore)
        #expect(map.entries.map(\.pus) == [[0], [1], [2], [3], [4], [5]])
    }

    @Test func oversubscribedTPGroupsShareACore() throws {
        let topology = try Topology(synthetic: "pack:1 core:2 pu:1")
        let map = HostMap(roles: roles(tp: 8, pp: 2), hosts: [], puIndicesByCore: topology.puIndicesByCore)
        #expect(map.entries.map(\.pus) == Array(repeating: [0], count: 8) + Array(repeating: [1], count: 8))
        // Three groups on two cores: whole groups, never a group split between cores.
        let three = HostMap(roles: roles(tp: 4, pp: 3), hosts: [], puIndicesByCore: topology.puIndicesByCore)
        #expect(three.entries.map { $0.pus[0] } == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    }

    @Test func groupsLargerThanACoreShareSpreadEvenly() throws {
        let topology = try Topology(synthetic: "pack:1 core:4 pu:1")
        let map = HostMap(roles: roles(tp: 8, pp: 1), hosts: [], puIndicesByCore: topology.puIndicesByCore)
        #expect(map.entries.map { $0.pus[0] } == [0, 0, 1, 1, 2, 2, 3, 3])
    }

    @Test func eachHostTakesWholePipelineStages() throws {
        let topology = try Topology(synthetic: "pack:1 core:4 pu:1")
        let map = HostMap(roles: roles(tp: 4, pp: 4), hosts: ["a", "b"], puIndicesByCore: topology.puIndicesByCore)
        #expect(map.entries.map(\.host) == Array(repeating: "a", count: 8) + Array(repeating: "b", count: 8))
        #expect(map.machinefile == ["a:8", "b:8"])
        // 8 ranks a host on 4 cores: two TP groups are fewer than the cores, so two ranks a core.
        #expect(map.entries.prefix(8).map { $0.pus[0] } == [0, 0, 1, 1, 2, 2, 3, 3])
        #expect(map.entries.suffix(8).map { $0.pus[0] } == [0, 0, 1, 1, 2, 2, 3, 3])
    }

    @Test func stagesInterleavedInRankOrderGiveOneMachinefileLinePerRun() throws {
        let topology = try Topology(synthetic: "pack:1 core:2 pu:1")
        // Three stages over two hosts: a takes stage 0, b stages 1 and 2 (whole TP groups a core).
        let map = HostMap(roles: roles(tp: 2, pp: 3), hosts: ["a", "b"], puIndicesByCore: topology.puIndicesByCore)
        #expect(map.machinefile == ["a:2", "b:4"])
        #expect(map.bindingLines == ["0 0", "1 1", "2 0", "3 0", "4 1", "5 1"])
    }

    @Test func thePolicySpinsOnlyWhileEveryRankHasAPU() {
        #expect(HostMap.waitPolicy(ranksOnHost: 2, pus: 2) == .spin)
        #expect(HostMap.waitPolicy(ranksOnHost: 3, pus: 2) == .cooperative)
    }

    @Test func bindingFilesRoundTripAndNameTheirBadLine() throws {
        let topology = try Topology(synthetic: "pack:1 core:2 pu:2")
        let map = HostMap(roles: roles(tp: 2, pp: 1), hosts: [], puIndicesByCore: topology.puIndicesByCore)
        let text = BindingFile.text(map)
        #expect(text == "# rank pus (OS indices), written by tessera hostmap\n0 0,1\n1 2,3\n")
        #expect(try BindingFile.pus(forRank: 1, in: text, path: "b.txt") == [2, 3])
        #expect(try BindingFile.pus(forRank: 2, in: text, path: "b.txt") == nil)
        #expect(throws: EmulatorError.self) { try BindingFile.pus(forRank: 0, in: "0 1\n1 x\n", path: "b.txt") }
        do {
            _ = try BindingFile.pus(forRank: 0, in: "0 1\n1 x\n", path: "b.txt")
        } catch {
            #expect(error.description == "b.txt:2: cannot read `1 x` (expected lines `rank pu,pu,…`, as `tessera hostmap -o` writes)")
        }
    }
}

@Suite struct WaitCapTests {
    @Test func thePauseCapGrowsWithOversubscriptionBetween100MicrosecondsAnd5Milliseconds() {
        #expect(MPIFabric.maxSleepUs(ranksPerPU: 0.5) == 100)
        #expect(MPIFabric.maxSleepUs(ranksPerPU: 8) == 800)
        #expect(MPIFabric.maxSleepUs(ranksPerPU: 32) == 3_200)
        #expect(MPIFabric.maxSleepUs(ranksPerPU: 128) == 5_000)
    }
}
