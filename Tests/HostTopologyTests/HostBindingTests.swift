import Testing
@testable import HostTopology

// Binding changes the whole test process, so these run one at a time and restore what they found.
@Suite(.serialized) struct HostBindingTests {
    @Test func hostCountsAreConsistent() throws {
        let host = try Topology.loadHost()
        #expect(host.isThisSystem)
        #expect(host.source == "this host")
        #expect(host.pus == host.puIndices.count)
        #expect(host.puIndicesByCore.count == host.cores)
        #expect(host.puIndicesByCore.flatMap { $0 }.sorted() == host.puIndices.sorted())
    }

    @Test func bindingRoundTrips() throws {
        let host = try Topology.loadHost()
        let original = try host.currentBinding()
        defer { try? host.bind(pus: original) }
        for pu in host.puIndices {
            try host.bind(pus: [pu])
            #expect(try host.currentBinding() == [pu])
        }
        try host.bind(pus: original)
        #expect(try host.currentBinding() == original)
    }

    @Test func rejectsPUsTheHostDoesNotHave() throws {
        let host = try Topology.loadHost()
        #expect(throws: TopologyError.unknownPUs([100_000], available: host.puIndices)) {
            try host.bind(pus: [100_000])
        }
        #expect(throws: TopologyError.unknownPUs([], available: host.puIndices)) { try host.bind(pus: []) }
    }
}
