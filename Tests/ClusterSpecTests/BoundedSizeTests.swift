import Testing
@testable import ClusterSpec

/// Bounded work (issue 15): a level count of 2^62 trapped multiplying counts, and a level of 1e9
/// chiplets hung the search. Counts are at most 2^20 a level and 2^24 in all, in files and in the
/// capacity planner's reshaping (a layout of 4.3e9 racks).
@Suite struct BoundedSizeTests {
    @Test func hugeLevelCountsAreRefusedWithTheLimit() {
        #expect(failure(replacing: "count: 8", with: "count: 4611686018427387904")
            == "Clusters/x.yaml: levels[0].count: expected at most 1048576 (2^20) units per level, got 4611686018427387904")
        #expect(failure(replacing: "count: 8", with: "count: 1000000000")
            == "Clusters/x.yaml: levels[0].count: expected at most 1048576 (2^20) units per level, got 1000000000")
        #expect(failure(replacing: "count: 8", with: "count: 1048576") == nil)
    }

    @Test func theProductOfCountsIsBounded() {
        let text = "count: 4\n    link: {topology: torus2D, dims: [2, 2]"
        let wide = validYAML.replacingOccurrences(of: "count: 8", with: "count: 1048576")
            .replacingOccurrences(of: text, with: "count: 32\n    link: {topology: torus2D, dims: [4, 8]")
        #expect(throws: ClusterSpecError(file: "Clusters/x.yaml", keyPath: "levels",
                                         message: "expected at most 16777216 (2^24) chiplets in all, got level counts 1048576 × 32")) {
            try ClusterSpec.parse(yaml: wide, file: "Clusters/x.yaml")
        }
    }

    @Test func reshapingIsBoundedToo() throws {
        let spec = try ClusterSpec.parse(yaml: validYAML, file: "Clusters/x.yaml")
        #expect(throws: ClusterSpecError(file: "Clusters/x.yaml", keyPath: "levels[1].count",
                                         message: "expected a whole number from 1 to 1048576 (2^20), got 4300000000")) {
            try spec.scaled(levelCounts: ["rack": 4_300_000_000])
        }
        #expect(throws: ClusterSpecError(file: "Clusters/x.yaml", keyPath: "levels",
                                         message: "expected at most 16777216 (2^24) chiplets in all, got level counts 1048576 × 1048576")) {
            try spec.scaled(levelCounts: ["rack": 1_048_576, "node": 1_048_576])
        }
        #expect(try spec.scaled(levelCounts: ["rack": 100]).totalChiplets == 800)
    }
}
