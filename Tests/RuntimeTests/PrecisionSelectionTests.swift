import ModelGraph
import Testing
@testable import Runtime

@Suite struct PrecisionSelectionTests {
    /// Fastest first; a point stays only if more accurate (by estimate) than every faster one, and
    /// among equal speeds the most accurate stands for them.
    @Test func frontierKeepsWhatNothingFasterBeats() {
        let points = [(100.0, 0.1), (100.0, 0.05), (90.0, 0.04), (80.0, 0.06), (70.0, 0.01)].map {
            PrecisionSelection.Point(quantisation: .fp32, tokensPerSecond: $0.0, estimatedError: $0.1, accuracy: nil)
        }
        let frontier = PrecisionSelection.frontier(points)
        #expect(frontier.map(\.tokensPerSecond) == [100, 90, 70])
        #expect(frontier.map(\.estimatedError) == [0.05, 0.04, 0.01])
    }
}
