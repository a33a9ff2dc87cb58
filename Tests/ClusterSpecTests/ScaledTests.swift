import Testing
@testable import ClusterSpec

@Test func scaledChangesCountsAndTotals() throws {
    let spec = try loadShipped("dgx-h100").scaled(levelCounts: ["cluster": 16, "rack": 2])
    #expect(spec.levels.map(\.count) == [8, 2, 16])
    #expect(spec.totalChiplets == 256)
    #expect(spec.racks == 16)
    let powerW: Double = 256 * 700 + 32 * 4600 + 16 * 1000
    #expect(spec.totalPowerW == powerW)
    let bigger = try loadShipped("gb200-nvl72").scaled(levelCounts: ["cluster": 4])
    #expect(bigger.totalChiplets == 288)
    #expect(bigger.memoryTotals.map(\.capacityBytes) == [288 * 186e9])
}

@Test func scaledReshapesTwoDimensionalGrids() throws {
    let pod = try loadShipped("tpu-v5e-pod")
    #expect(try pod.scaled(levelCounts: ["pod": 64]).levels[0].link.dims == [8, 8])
    #expect(try pod.scaled(levelCounts: ["pod": 32]).levels[0].link.dims == [4, 8])
    #expect(try pod.scaled(levelCounts: ["pod": 7]).levels[0].link.dims == [1, 7])
}

@Test func scaledRejectsUnknownLevelsAndNonPositiveCounts() throws {
    let spec = try loadShipped("dgx-h100")
    #expect(throws: ClusterSpecError(file: spec.sourceFile, keyPath: "levels",
                                     message: "no level named pod; expected one of node, rack, cluster")) {
        try spec.scaled(levelCounts: ["pod": 2])
    }
    #expect(throws: ClusterSpecError(file: spec.sourceFile, keyPath: "levels[0].count",
                                     message: "expected a whole number from 1 to 1048576 (2^20), got 0")) {
        try spec.scaled(levelCounts: ["node": 0])
    }
}
