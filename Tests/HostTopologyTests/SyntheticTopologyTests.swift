import Testing
@testable import HostTopology

@Suite struct SyntheticTopologyTests {
    @Test func countsTheIssueExample() throws {
        let topology = try Topology(synthetic: "pack:2 numa:2 core:8 pu:2")
        #expect(topology.packages == 2)
        #expect(topology.numaNodes == 4)
        #expect(topology.l3Caches == 0)
        #expect(topology.cores == 32)
        #expect(topology.pus == 64)
        #expect(topology.isThisSystem == false)
        #expect(topology.source == "synthetic \"pack:2 numa:2 core:8 pu:2\"")
    }

    @Test func countsL3GroupsAndAddsOneNUMANodeWhenNoneIsGiven() throws {
        let topology = try Topology(synthetic: "pack:2 l3:2 core:4 pu:2")
        #expect(ObjectKind.allCases.map(topology.count) == [2, 1, 4, 16, 32])
    }

    @Test func listsPUsByCoreAndPlacesRanksCoreByCore() throws {
        let topology = try Topology(synthetic: "core:2 pu:2")
        #expect(topology.puIndices == [0, 1, 2, 3])
        #expect(topology.puIndicesByCore == [[0, 1], [2, 3]])
        #expect(topology.placement(ranks: 3) == [[0, 1], [2, 3], [0, 1]])
        #expect(topology.placement(ranks: 0) == [])
    }

    @Test func rejectsABadDescriptionNamingIt() {
        #expect(throws: TopologyError.invalidSynthetic(
            description: "pack:two", reason: "hwloc_topology_set_synthetic: Invalid argument")) {
            try Topology(synthetic: "pack:two")
        }
    }

    @Test func refusesToBindToATopologyThatIsNotThisHost() throws {
        let topology = try Topology(synthetic: "core:2 pu:1")
        let error = TopologyError.notThisSystem(source: "synthetic \"core:2 pu:1\"")
        #expect(throws: error) { try topology.bind(pus: [0]) }
        #expect(throws: error) { try topology.currentBinding() }
        #expect(error.description
            == "topology synthetic \"core:2 pu:1\" is not this host's, so binding to it is not possible; load the host topology")
    }
}
