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

@Suite struct PrecisionSelectionRunTests {
    /// Two candidates on a 1 × 6 token set: the choice meets the budget, every faster measured
    /// frontier point misses it, and combinations the pricing refuses are counted, not chosen.
    @Test func choosesTheFastestMeasuredPointWithinBudget() throws {
        let config = try ModelGraph.load(path: Fixtures.path("Workloads/tiny-llama.json")).config
        let budget = 0.05
        let s = PrecisionSelection.select(
            config: config, seed: 1, activations: .fp32, maxLogitError: budget, candidates: [.fp32, .mxint4],
            tokens: LogitAccuracy.tokenSet(config: config, sequences: 1, tokens: 6)) { q in
                // Speed grows with each class in mxint4; MXINT4 K/V with FP32 weights "cannot run".
                let narrow = [q.attentionWeights, q.mlpWeights, q.kvCache].filter { $0 == .mxint4 }.count
                return q.kvCache == .mxint4 && narrow == 1 ? nil : 100 + Double(narrow)
            }
        #expect(s.perClass.count == 6 && s.combinations == 8 && s.infeasible == 1)
        #expect(s.perClass.filter { $0.format == .fp32 }.allSatisfy { $0.accuracy.maxRelativeError == 0 })
        let chosen = try #require(s.chosen)
        #expect(try #require(chosen.accuracy).maxRelativeError <= budget)
        for p in s.frontier where p.tokensPerSecond > chosen.tokensPerSecond {
            #expect((p.accuracy?.maxRelativeError ?? .infinity) > budget)
        }
        #expect(s.frontier.last?.quantisation.attentionWeights == .fp32 && s.frontier.last?.tokensPerSecond == 100)
    }
}
