import Foundation
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

    /// Inputs that made libhwloc segfault or hang (issue 15) are refused before it sees them.
    @Test func malformedXMLIsRefusedBeforeLibhwloc() throws {
        let good = try String(contentsOfFile: Self.fixtures + "two-packages.xml", encoding: .utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("topology-\(getpid()).xml").path
        let cases = [
            (String(good.prefix(good.count / 2)), "is not closed"),
            (good.replacingOccurrences(of: "<topology", with: "<machine").replacingOccurrences(of: "</topology>", with: "</machine>"),
             "expected one <topology> root element, got <machine>"),
            (good.replacingOccurrences(of: "</object>", with: "</obj>"), "does not close the open element"),
            (good + "<topology></topology>", "expected one <topology> root element, got <topology>"),
        ]
        for (text, reason) in cases {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            #expect { try Topology(xmlFile: path) } throws: { "\($0)".contains(reason) }
        }
    }

    /// `make fuzz` crashers, kept as found (Fixtures/crashers/<loader>-seed-S-case-N.xml): a quote
    /// inside an attribute value (`cpuset=""x"x00000020"`) made libhwloc segfault.
    @Test func fuzzCrashersAreRefused() throws {
        let path = Self.fixtures + "crashers/hwloc-xml-seed-1-case-175.xml"
        #expect(throws: TopologyError.invalidXML(path: path, reason: "<object> has an attribute that is not name=\"value\"")) {
            try Topology(xmlFile: path)
        }
    }

    @Test func hugeSyntheticTopologiesAreRefusedWithTheFigure() {
        #expect(throws: TopologyError.invalidSynthetic(description: "pack:1000 core:1000 pu:100",
                                                       reason: "it describes 100000000 PUs; at most 1048576 (2^20) are supported")) {
            try Topology(synthetic: "pack:1000 core:1000 pu:100")
        }
    }

    /// Bounded work: the PUs are counted before libhwloc builds anything, against a limit a flag raises.
    @Test func syntheticTopologiesPastTheLimitNameTheFlag() throws {
        #expect(Topology.defaultMaxPUs == 65536)
        #expect(throws: TopologyError.invalidSynthetic(description: "pack:64 core:1024 pu:2",
                                                       reason: "it describes 131072 PUs, over the limit of 65536; raise it with --max-pus (up to 1048576)")) {
            try Topology(synthetic: "pack:64 core:1024 pu:2")
        }
        #expect(throws: TopologyError.self) { try Topology(synthetic: "pack:2 core:8 pu:2", maxPUs: 16) }
        #expect(try Topology(synthetic: "pack:2 core:8 pu:2", maxPUs: 32).pus == 32)
    }
}
