import ClusterSpec
import Foundation
import ModelGraph
import Planner
import Testing
@testable import Runtime

/// Disaggregated pools (a prefill replica beside a decode replica, each prompt's K/V handed over
/// the links) and the concurrent all-to-all, on the in-process fabric.
@Suite struct DisaggregatedEmulationTests {
    /// A disaggregated plan of `model` on `cluster`: prefill `prefill`, decode `decode`, batch 1.
    func plan(model: String = "tiny-llama.json", cluster: String = "dgx-a100.yaml", scenario: String = "tiny-test.json",
              prefill: Strategy, decode: Strategy) throws -> Plan {
        let graph = try ModelGraph.load(path: Fixtures.path("Workloads/" + model))
        let spec = try ClusterSpec.load(path: Fixtures.path("Clusters/" + cluster))
        var sc = try Scenario.load(path: Fixtures.path("Workloads/scenarios/" + scenario))
        sc.mode = .static
        sc.batch = 1
        if model == "tiny-llama.json" { sc.precision = Precision(.bf16) }
        let evaluator = try Evaluator(PlanInputs(modelName: graph.name, model: graph, cluster: spec, scenario: sc))
        let made = evaluator.disaggregatedPlan(prefill: Candidate(strategy: prefill, batch: 1),
                                               decode: Candidate(strategy: decode, batch: 1))
        guard let p = made.plan else { throw FixtureError(description: made.reason ?? "infeasible") }
        return p
    }

    /// Four members post their shares at once: each finishes after one α and three wire times on
    /// its ports (2 + 3 × 1 µs), where peer after peer took three of each (9 µs).
    @Test func allToAllPostsEverySendBeforeTakingAnyIn() throws {
        let low = CollectiveLowering(link: Harness.link, purpose: .allToAllEP, layer: 0, phase: .prefill)
        let programs = (0..<4).map { q in
            var out: [Instruction] = []
            low.allToAll(group: [0, 1, 2, 3], me: q, bytes: 4000, into: &out)
            #expect(out.prefix(3).allSatisfy { if case .send = $0 { true } else { false } })
            return Harness.program(q, out)
        }
        let figures = try Harness.run(programs, link: Harness.link)
        for f in figures { #expect(abs(f.prefillEndS - 5e-6) < 1e-15, "chiplet \(f.chiplet): \(f.prefillEndS)") }
    }

    /// Prefill TP 4 to decode TP 2 × PP 2 of Llama-3-8B (8 KV heads of 128, 32 layers, BF16): each
    /// prefill chiplet's two heads go to the decode TP rank holding them in both stages, 16 layers
    /// each, and the shards add up to layers × KV heads × head dim × 2 × tokens × 2 bytes.
    @Test func kvShardsMoveEachLayerAndHeadOnce() throws {
        let p = try plan(model: "llama-3-8b.json", cluster: "dgx-h100.yaml", scenario: "chat.json",
                         prefill: Strategy(tp: 4, pp: 1, dp: 1, ep: 1), decode: Strategy(tp: 2, pp: 2, dp: 1, ep: 1))
        let pools = try #require(p.disaggregation)
        let shards = Emulation.kvShards(prefill: pools.prefill.plan, decode: p, tokens: 1024)
        #expect(shards.count == 8)
        let shard: Double = 16_777_216  // 16 layers × 2 heads × 128 × 2 × 1,024 tokens × 2 bytes
        let total: Double = 134_217_728  // 32 layers × 8 heads × 128 × 2 × 1,024 tokens × 2 bytes
        #expect(shards.allSatisfy { $0.bytes == shard })
        #expect(shards.reduce(0) { $0 + $1.bytes } == total)
        for s in shards { #expect(p.chiplets[s.to].tpRank == pools.prefill.plan.chiplets[s.from].tpRank / 2) }
    }

    /// Two requests one at a time through prefill TP 2 → decode TP 2 (tiny model, BF16): the decode
    /// pool takes in 4 layers × 4 KV heads × 32 × 2 × 16 tokens × 2 bytes per request, and each
    /// request's TTFT is the prefill a colocated TP 2 plan emulates plus its K/V hand-off.
    @Test func theDecodePoolWaitsForEachPromptsKV() throws {
        let p = try plan(prefill: Strategy(tp: 2, pp: 1, dp: 1, ep: 1), decode: Strategy(tp: 2, pp: 1, dp: 1, ep: 1))
        #expect(Emulation.ranksNeeded(p, oneReplica: false) == 4)
        var options = EmulationOptions()
        options.requests = RequestStream.poisson(count: 2, ratePerS: 0.01, inputTokens: 16, outputTokens: 8, seed: 1)
        let result = try Fixtures.emulate(p, options)
        let stream = try #require(result.stream)
        let bytes: Double = 65_536  // 2 requests × 4 layers × 4 heads × 32 × 2 × 16 tokens × 2 bytes
        #expect(stream.kvHandOffBytes == bytes)
        let colocated = try Fixtures.emulate(try Fixtures.plan(cluster: "dgx-a100.yaml", precision: Precision(.bf16), tp: 2, batch: 1), options)
        let alone = try #require(colocated.stream)
        for (r, c) in zip(stream.records, alone.records) {
            let first = try #require(r.firstTokenS), prefillEnd = try #require(r.prefillEndS)
            let ttft = try #require(r.ttftS), alone = try #require(c.ttftS)
            let handOff = first - prefillEnd
            #expect(handOff > 0)
            #expect(abs(ttft - (alone + handOff)) < 1e-12)
            #expect(r.outputTokens == 8 && r.lastTokenS != nil)
        }
        #expect(result.report.contains("K/V hand-off: 2 requests, 65536 bytes moved"))
    }

    /// A disaggregated plan needs a request stream (its pools run a scheduler each).
    @Test func aDisaggregatedPlanWithoutRequestsIsAnError() throws {
        let p = try plan(prefill: Strategy(tp: 2, pp: 1, dp: 1, ep: 1), decode: Strategy(tp: 2, pp: 1, dp: 1, ep: 1))
        #expect(throws: LowerError.self) { try Fixtures.emulate(p) }
    }
}
