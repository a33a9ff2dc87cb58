import CostModel
import Testing
@testable import Runtime

/// The scheduler by hand: budget 4 tokens, 2 running, K/V for 20 tokens; every iteration takes
/// 1 s. A (in 6, out 3), B (in 2, out 2), C (in 4, out 10) arrive at 0; D (in 20, out 5) can
/// never fit and is recorded unserved.
@Suite struct StreamSchedulerTests {
    static func request(_ id: Int, _ input: Int, _ output: Int) -> ServingRequest {
        ServingRequest(id: id, arrivalS: 0, inputTokens: input, outputTokens: output)
    }

    @Test func chunksBudgetAndKVAdmissionByHand() {
        var s = StreamScheduler(requests: [Self.request(0, 6, 3), Self.request(1, 2, 2), Self.request(2, 4, 10),
                                           Self.request(3, 20, 5)],
                                limits: .init(tokenBudget: 4, maxRunning: 2, kvCapacityTokens: 20), replica: 0)
        var its: [Iteration] = [], t = 0.0
        while let it = s.next(at: t) { its.append(it); t = it.startS + 1; s.finish(it, at: t) }
        // 1: A's first 4 prompt tokens (C and D queued: both slots taken, A + B reserve 13 of 20).
        #expect(its[0].chunks.map(\.tokens) == [4] && its[0].decoding.isEmpty)
        #expect(s.queueTrace[0].waiting == 2 && s.queueTrace[0].running == 2 && s.queueTrace[0].kvTokens == 13)
        // 2: A's last 2 (attending 4·2 + 3 = 11) and B's 2 (3): 14 positions, 4 tokens, 2 prompts.
        #expect(its[1].work == Work(tokens: 4, prefillAttended: 14, kvPositions: 4, sequences: 2, prefillTokens: 4,
                                    prefillSequences: 2))
        // 3: A and B decode at contexts 6 + 1 and 2 + 1; B is then done (2 tokens).
        #expect(its[2].work == .decode(sequences: 1, context: 7) + .decode(sequences: 1, context: 3))
        // 4: A alone (C still does not fit next to A's 9); 5: C admitted, its whole prompt.
        #expect(its[3].decoding.count == 1 && its[3].chunks.isEmpty)
        #expect(its[4].chunks.map(\.tokens) == [4] && its[4].startS == 4)
        #expect(its.count == 5 + 9)  // C's 9 more tokens, one per iteration
        let byID = Dictionary(uniqueKeysWithValues: s.records.map { ($0.id, $0) })
        #expect(byID[0]?.ttftS == 2 && byID[0]?.tpotS == 1 && byID[0]?.admittedS == 0)
        #expect(byID[1]?.ttftS == 2 && byID[1]?.lastTokenS == 3)
        #expect(byID[2]?.admittedS == 4 && byID[2]?.ttftS == 5 && byID[2]?.lastTokenS == 14)
        #expect(byID[3]?.admittedS == nil && byID[3]?.firstTokenS == nil)
        #expect(s.kvReservedTokens == 0 && s.running.isEmpty)
    }

    /// With nothing to do the scheduler idles to the next arrival.
    @Test func idlesUntilTheNextArrival() {
        var s = StreamScheduler(requests: [ServingRequest(id: 0, arrivalS: 5, inputTokens: 2, outputTokens: 1)],
                                limits: .init(tokenBudget: 8, maxRunning: 4, kvCapacityTokens: 100), replica: 0)
        let it = s.next(at: 0)
        #expect(it?.startS == 5 && it?.chunks.map(\.tokens) == [2])
        if let it { s.finish(it, at: 6) }
        #expect(s.next(at: 6) == nil && s.records.first?.ttftS == 1 && s.records.first?.tpotS == nil)
    }

    /// A stream on tiny-llama TP 2 × PP 2 in process. Requests 1 s apart are each alone, so
    /// every one has the same TTFT and TPOT; 12 requests at once queue behind the 2 slots.
    @Test func aStreamRunsOnTheEmulator() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        var options = EmulationOptions()
        options.requests = (0..<4).map { ServingRequest(id: $0, arrivalS: Double($0), inputTokens: 16, outputTokens: 8) }
        let alone = try #require(try Fixtures.emulate(plan, options).stream)
        func spread(_ v: [Double]) -> Double { (v.max() ?? 0) - (v.min() ?? 0) }
        #expect(alone.records.count == 4 && spread(alone.ttftsS) < 1e-12 && spread(alone.tpotsS) < 1e-12)
        #expect(alone.queue.allSatisfy { $0.waiting == 0 })
        options.requests = (0..<12).map { ServingRequest(id: $0, arrivalS: 0, inputTokens: 16, outputTokens: 8) }
        let burst = try #require(try Fixtures.emulate(plan, options).stream)
        #expect(burst.queue.first?.waiting == 10 && burst.queue.map(\.running).max() == 2)
        #expect(burst.records.allSatisfy { $0.lastTokenS != nil })
        #expect((burst.records.last?.ttftS ?? 0) > 5 * (alone.ttftsS.first ?? 0))
    }
}
