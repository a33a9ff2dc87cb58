import Testing
import ModelGraph

@testable import Runtime

@Suite struct TimingModeTests {
    /// TP 4 × PP 2 against the planner's analytical model (no kernel tables, no software costs).
    /// Each rank prices its own tiles, and decode step s attends input + 1 + s positions, so four
    /// steps run below the planner's mean context. Measured: tiny-llama on Corsair TTFT +0.0%, TPOT
    /// −1.3% (contexts 17–20 against the mean 20), tokens/s +1.1%; Llama-3-70B on DGX-H100 TTFT
    /// +0.0%, TPOT −0.0%, tokens/s +0.0% (at 128 → 128 tokens and TP 4, attention is a small part of a
    /// step). Bound: 5%.
    @Test(arguments: [("tiny-llama.json", "corsair-rack.yaml", "tiny-test.json", Precision(.mxint8)),
                      ("llama-3-70b.json", "dgx-h100.yaml", "batch-offline.json", Precision(.bf16))])
    func tp4pp2AgreesWithThePrediction(model: String, cluster: String, scenario: String, precision: Precision) throws {
        let plan = try Fixtures.plan(model: model, cluster: cluster, scenario: scenario, precision: precision,
                                     tp: 4, pp: 2, batch: 8, analytical: true)
        var options = EmulationOptions()
        options.decodeSteps = 4
        let r = try Fixtures.emulate(plan, options)
        #expect(abs(Emulation.percent(r.ttftMs, r.predicted.ttftMs)) < 5)
        #expect(abs(Emulation.percent(r.tpotMs, r.predicted.tpotMs)) < 5)
        #expect(abs(Emulation.percent(r.outputTokensPerSecond, r.predicted.outputTokensPerSecond)) < 5)
        #expect(r.notes.isEmpty)
    }

    /// With H100's measured collective tables the planner prices TP all-reduces as the custom
    /// kernels measured them, while the emulator moves their steps over its link model (a one-shot
    /// push on NVSwitch, as TensorRT-LLM's custom all-reduce does, at the link's rated bandwidth).
    /// TPOT agrees within the 5%. TTFT, whose large prefill all-reduces run faster at the
    /// rated bandwidth than measured, was −4.9% before the refit to the 16-bit hidden state and is
    /// −5.1% after it (a smaller launch cost leaves the collectives a larger share); past 5% the
    /// emulator must name that cause.
    @Test func measuredCollectivesAgreeWithTheLinkModel() throws {
        let plan = try Fixtures.plan(model: "llama-3-70b.json", cluster: "dgx-h100.yaml", scenario: "batch-offline.json",
                                     precision: Precision(.bf16), tp: 4, pp: 2, batch: 8)
        #expect(plan.software?.name == "trtllm-1.0")
        var options = EmulationOptions()
        options.decodeSteps = 4
        let r = try Fixtures.emulate(plan, options)
        let ttft = Emulation.percent(r.ttftMs, r.predicted.ttftMs)
        #expect(ttft > -6 && ttft < 5, "\(r.notes)")
        #expect(abs(Emulation.percent(r.tpotMs, r.predicted.tpotMs)) < 5, "\(r.notes)")
        if abs(ttft) < 5 {
            #expect(r.notes.isEmpty, "\(r.notes)")
        } else {
            #expect(r.notes.count == 1 && r.notes[0].contains("all-reduce steps run one after another on the link model, where the planner uses its closed-form ring/tree formula or measured tables"), "\(r.notes)")
        }
    }

    /// PP 4 with 4 microbatches under TensorRT-LLM's overlap scheduler: its 2 ms host step per
    /// microbatch, not the stages' shorter device time, sets the pace, in the planner
    /// (a bound on the stage pace) and in the emulator (a host clock beside the device). Without
    /// the host clock the emulated TPOT was 45% under the prediction. Bound: 10% over 16 steps
    /// (the first steps start on microbatches the host prepared during prefill).
    @Test func anOverlappedHostStepPacesAPipeline() throws {
        let plan = try Fixtures.plan(model: "llama-3-8b.json", cluster: "dgx-h100.yaml", scenario: "batch-offline.json",
                                     precision: Precision(.bf16), tp: 1, pp: 4, batch: 4)
        let step = try #require(plan.software?.overlappedStepUs)
        #expect(step > 2000 && plan.software?.stepOverheadUs == 0)
        var options = EmulationOptions()
        options.decodeSteps = 16
        let r = try Fixtures.emulate(plan, options)
        #expect(abs(Emulation.percent(r.tpotMs, r.predicted.tpotMs)) < 10, "\(r.notes)")
        #expect(abs(r.predicted.tpotMs - 4 * step / 1000) < 1e-9)
    }

    /// A hosted service's front end (`frontEndMs` in the plan's software) is in the user's TTFT,
    /// static and per streamed request, and in nothing the machine does: 250 ms more TTFT, the
    /// same TPOT, tokens/s and message count.
    @Test func aFrontEndIsInTheEmulatedTTFTOnly() throws {
        let plan = try Fixtures.plan(cluster: "dgx-h100.yaml", precision: Precision(.bf16), tp: 2, pp: 2)
        var served = plan
        #expect(plan.software?.name == "trtllm-1.0" && plan.software?.frontEndMs == nil)
        served.software?.frontEndMs = 250
        let a = try Fixtures.emulate(plan), b = try Fixtures.emulate(served)
        #expect(abs(b.ttftMs - a.ttftMs - 250) < 1e-9)
        #expect(b.tpotMs == a.tpotMs && b.outputTokensPerSecond == a.outputTokensPerSecond && b.messages == a.messages)
        var options = EmulationOptions()
        options.requests = (0..<3).map { ServingRequest(id: $0, arrivalS: Double($0), inputTokens: 16, outputTokens: 8) }
        let sa = try #require(try Fixtures.emulate(plan, options).stream)
        let sb = try #require(try Fixtures.emulate(served, options).stream)
        #expect(sa.records.count == 3 && sb.records.count == 3)
        for (x, y) in zip(sa.records, sb.records) {
            #expect(abs((y.ttftS ?? 0) - (x.ttftS ?? 0) - 0.25) < 1e-12 && y.firstTokenS == x.firstTokenS && y.tpotS == x.tpotS)
        }
    }

    @Test func continuousBatchingIsNotedAsStatic() throws {
        let plan = try Fixtures.plan(model: "llama-3-8b.json", cluster: "dgx-h100.yaml", scenario: "chat.json",
                                     precision: Precision(.bf16), tp: 4, pp: 2, batch: 8)
        var options = EmulationOptions()
        options.decodeSteps = 2
        let r = try Fixtures.emulate(plan, options)
        #expect(r.notes.first?.hasPrefix("TTFT +") == true)
        #expect(r.notes.contains { $0.hasPrefix("the scenario batches continuously") })
    }
}
