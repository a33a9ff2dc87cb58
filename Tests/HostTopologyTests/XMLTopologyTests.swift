import Testing
@testable import HostTopology

/// `Fixtures/two-packages.xml` was written by `lstopo --input "pack:2 numa:1 l3:2 core:3 pu:2" --of xml`.
@Suite struct XMLTopologyTests {
    static let fixtures = String(#filePath.dropLast("XMLTopologyTests.swift".count)) + "Fixtures/"

    @Test func loadsAnLstopoFileWithExactCounts() throws {
        let path = Self.fixtures + "two-packages.xml"
        let topology = try Topology(xmlFile: path)
        #expect(ObjectKind.allCases.map(topology.count) == [2, 2, 4, 12, 24])
        #expect(topology.puIndices == Array(0..<24))
        #expect(topology.source == path)
        #expect(throws: TopologyError.notThisSystem(source: path)) { try topology.bind(pus: [0]) }
    }

    @Test func namesAMissingFile() {
        let path = Self.fixtures + "no-such-file.xml"
        #expect(throws: TopologyError.invalidXML(path: path, reason: "No such file or directory")) {
            try Topology(xmlFile: path)
        }
    }

    @Test func rejectsAFileThatIsNotXML() {
        let path = #filePath
        #expect(throws: TopologyError.self) { try Topology(xmlFile: path) }
    }
}
