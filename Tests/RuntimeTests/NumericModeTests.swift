import Testing
import Planner
@testable import Runtime

@Suite struct NumericModeTests {
    static func error(_ plan: Plan, steps: Int = 2) throws -> Double {
        var options = EmulationOptions()
        options.numeric = true
        options.decodeSteps = steps
        let result = try Fixtures.emulate(plan, options)
        return try #require(result.maxRelativeError)
    }

    @Test(arguments: [(4, 1, 1, 1, "tiny-llama.json", 2), (1, 4, 1, 1, "tiny-llama.json", 2),
                      (2, 2, 1, 1, "tiny-llama.json", 2), (2, 1, 2, 1, "tiny-llama.json", 2),
                      (1, 1, 1, 2, "tiny-moe.json", 2), (2, 2, 1, 2, "tiny-moe.json", 4)])
    func matchesTheReference(tp: Int, pp: Int, dp: Int, ep: Int, model: String, batch: Int) throws {
        // Short prompts keep the debug-build math quick; the split is what is under test.
        let plan = try Fixtures.plan(model: model, tp: tp, pp: pp, dp: dp, ep: ep, batch: batch, inputTokens: 4)
        let error = try Self.error(plan)
        #expect(error <= 1e-4)
        #expect(error > 0 || tp == 1)
    }

    @Test func reportPrintsTheError() throws {
        var options = EmulationOptions()
        options.numeric = true
        options.decodeSteps = 1
        let result = try Fixtures.emulate(try Fixtures.plan(tp: 2, inputTokens: 2), options)
        #expect(result.report.contains("max relative error "))
    }
}
