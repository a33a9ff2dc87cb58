import Foundation
import Testing
@testable import Runtime

/// `EmulationOptions.started` marks where benchmarks time the message loop from: every rank is
/// told once, after every rank's set-up (a barrier), and before any message of the program.
@Suite struct LoopStartTests {
    /// Counts the calls, from the rank threads of the in-process fabric.
    private final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func tell() { lock.withLock { count += 1 } }
        var told: Int { lock.withLock { count } }
    }

    @Test(arguments: [false, true])
    func everyRankIsToldOnceBeforeItsFirstMessage(stream: Bool) throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        let log = Log()
        var options = EmulationOptions()
        if stream { options.requests = (0..<3).map { ServingRequest(id: $0, arrivalS: 0, inputTokens: 16, outputTokens: 4) } }
        options.started = { log.tell() }
        let listened = options
        let results = InProcessFabric.run(ranks: 4, timeoutS: 10) { fabric in
            try Emulation.run(plan: plan, fabric: fabric, options: listened)
        }
        for r in results { if case .failure(let e) = r { throw e } }
        #expect(log.told == 4)
        // The barrier before the loop is the fabric's, not the program's: the messages counted
        // are the same as without a listener.
        var plain = options
        plain.started = nil
        #expect(try Fixtures.emulate(plan, plain).messages == Fixtures.emulate(plan, options).messages)
    }
}
