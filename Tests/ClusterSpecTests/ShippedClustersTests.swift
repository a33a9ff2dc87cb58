import Foundation
import Testing
@testable import ClusterSpec

/// Clusters/ at the package root, found from this file's path.
let clustersDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Clusters")

func loadShipped(_ name: String) throws -> ClusterSpec {
    try ClusterSpec.load(path: clustersDirectory.appendingPathComponent("\(name).yaml").path)
}

/// Expected totals of one shipped file, worked out by hand from its numbers.
struct Expected: Sendable, CustomStringConvertible {
    var file: String
    var chiplets: Int
    var chips: Int
    var racks: Int
    var powerW: Double
    /// Whole-cluster capacity of each tier, innermost first.
    var tierBytes: [String: Double]
    var description: String { file }
}

let shipped: [Expected] = [
    Expected(file: "dgx-a100", chiplets: 32, chips: 32, racks: 1, powerW: 32 * 400 + 4 * 3300 + 1000,
             tierBytes: ["HBM2e": 32 * 80e9]),
    Expected(file: "dgx-h100", chiplets: 256, chips: 256, racks: 8, powerW: 256 * 700 + 32 * 4600 + 8 * 1000,
             tierBytes: ["HBM3": 20_480e9]),
    Expected(file: "hgx-h200", chiplets: 64, chips: 64, racks: 2, powerW: 64 * 700 + 8 * 4600 + 2 * 1000,
             tierBytes: ["HBM3e": 64 * 141e9]),
    Expected(file: "hgx-b200", chiplets: 64, chips: 64, racks: 2, powerW: 64 * 1000 + 8 * 6300 + 2 * 1000,
             tierBytes: ["HBM3e": 64 * 180e9]),
    Expected(file: "gb200-nvl72", chiplets: 1152, chips: 1152, racks: 16, powerW: 16 * 120_000,
             tierBytes: ["HBM3e": 1152 * 186e9]),
    Expected(file: "mi300x-8", chiplets: 8, chips: 8, racks: 1, powerW: 8 * 750 + 3000,
             tierBytes: ["HBM3": 8 * 192e9]),
    Expected(file: "tpu-v5e-pod", chiplets: 256, chips: 256, racks: 1, powerW: 256 * 200 + 10_000,
             tierBytes: ["HBM2": 256 * 16e9]),
    Expected(file: "corsair-rack", chiplets: 256, chips: 32, racks: 1, powerW: 256 * 75 + 4 * 1500 + 1000,
             tierBytes: ["SRAM": 256 * 250e6, "LPDDR5X": 32 * 256e9]),
    Expected(file: "groq-rack", chiplets: 576, chips: 576, racks: 8, powerW: 576 * 300 + 72 * 1000 + 8 * 1000,
             tierBytes: ["SRAM": 576 * 230e6]),
    Expected(file: "tenstorrent-galaxy", chiplets: 128, chips: 128, racks: 1, powerW: 128 * 150 + 4 * 1000 + 1000,
             tierBytes: ["SRAM": 128 * 96e6, "GDDR6": 128 * 12e9]),
    Expected(file: "cerebras-wafer", chiplets: 32 * 64, chips: 32, racks: 32, powerW: 32 * 23_000,
             tierBytes: ["SRAM": 32 * 44e9]),
]

@Test func everyFileInClustersIsTested() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: clustersDirectory.path)
        .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    #expect(files == shipped.map(\.file).sorted())
}

@Test(arguments: shipped)
func shippedFileLoadsWithExactTotals(_ expected: Expected) throws {
    let spec = try loadShipped(expected.file)
    #expect(spec.name == expected.file)
    #expect(spec.totalChiplets == expected.chiplets)
    #expect(spec.totalChips == expected.chips)
    #expect(spec.racks == expected.racks)
    #expect(spec.totalPowerW == expected.powerW)
    let tiers = Dictionary(uniqueKeysWithValues: spec.memoryTotals.map { ($0.name, $0.capacityBytes) })
    #expect(tiers == expected.tierBytes)
}

@Test func gb200HasSixteenRacksOf72AndExactPeak() throws {
    let spec = try loadShipped("gb200-nvl72")
    #expect(spec.chiplets(inLevel: 0) == 72)
    #expect(spec.units(ofLevel: 0) == 16)
    #expect(spec.totalPeakTFLOPS("fp8") == 5_760_000)
    #expect(spec.totalPeakTFLOPS("fp4") == 11_520_000)
    #expect(spec.totalPeakTFLOPS("int8") == nil)
    #expect(spec.powerPerRackW == 120_000)
}

@Test func corsairSharesCardLPDDRAmongItsEightChiplets() throws {
    let spec = try loadShipped("corsair-rack")
    #expect(spec.chipUnitName == "card")
    #expect(spec.chipletsPerChip == 8)
    #expect(spec.memoryPerChiplet == [
        .init(name: "SRAM", level: "chiplet", sharedBy: 1, capacityBytesPerChiplet: 250e6,
              bandwidthGBpsPerChiplet: 18_750, bandwidthEfficiency: 1),
        .init(name: "LPDDR5X", level: "card", sharedBy: 8, capacityBytesPerChiplet: 32e9,
              bandwidthGBpsPerChiplet: 50, bandwidthEfficiency: 0.9),
    ])
    #expect(spec.totalPeakTFLOPS("mxint4") == 307_200)
}

@Test func groqRackIsNineNodesOfEightChips() throws {
    let spec = try loadShipped("groq-rack")
    #expect(spec.levels.map(\.count) == [8, 9, 8])
    #expect(spec.chiplets(inLevel: 1) == 72)
    #expect(spec.levels.map(\.link.topology) == [.fullMesh, .fullMesh, .ring])
    #expect(spec.memoryPerChiplet.map(\.name) == ["SRAM"])
}

@Test func cerebrasWaferIsOneChipOf64Regions() throws {
    let spec = try loadShipped("cerebras-wafer")
    #expect(spec.chipletsPerChip == 64)
    #expect(spec.levels[0].link.dims == [8, 8])
    #expect(abs(try #require(spec.totalPeakTFLOPS("fp16")) - 32 * 125_000) < 1e-6)  // 1,953.125 × 64 × 32, summed
}

@Test func torusAndMeshLinksSplitBandwidthOverNeighbours() throws {
    let tpu = try loadShipped("tpu-v5e-pod").levels[0]
    #expect(tpu.link.linksPerMember(memberCount: tpu.count) == 4)
    #expect(tpu.link.perLinkBandwidthGBps(memberCount: tpu.count) == 50)
    let mi300 = try loadShipped("mi300x-8").levels[0]
    #expect(mi300.link.linksPerMember(memberCount: 8) == 7)
    #expect(mi300.link.perLinkBandwidthGBps(memberCount: 8) == 64)
    let galaxy = try loadShipped("tenstorrent-galaxy").levels[0]
    #expect(galaxy.link.linksPerMember(memberCount: 32) == 4)
    #expect(LinkSpec(topology: .ring, bandwidthGBps: 10, latencyUs: 1).linksPerMember(memberCount: 2) == 1)
    #expect(LinkSpec(topology: .switch, bandwidthGBps: 10, latencyUs: 1).linksPerMember(memberCount: 1) == 0)
}
