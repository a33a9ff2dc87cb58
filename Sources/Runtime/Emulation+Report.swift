import CostModel
import Foundation
import Planner

extension Emulation {
    /// Emulated TTFT, TPOT and throughput from every chiplet's figures. TTFT: the latest end
    /// of prefill; TPOT: the mean decode step after it; throughput: batch × replicas × output
    /// tokens over TTFT + (output − 1) · TPOT (so a `decodeSteps` cap extrapolates).
    static func summarise(plan: Plan, figures: [ChipletFigures], options: EmulationOptions) -> EmulationResult {
        let ttftS = figures.map(\.prefillEndS).max() ?? 0
        let endS = figures.map(\.decodeEndS).max() ?? 0
        let steps = Lowering.stepCount(plan, options.decodeSteps)
        let tpotS = steps > 0 ? (endS - ttftS) / Double(steps) : 0
        let output = Double(plan.scenario.outputTokens)
        let totalS = ttftS + max(output - 1, 0) * tpotS
        let tokens = Double(plan.batch * plan.strategy.dp) * output
        var result = EmulationResult(
            // A hosted service's front end is in the user's TTFT, not in the machine's time.
            ttftMs: ttftS * 1000 + (plan.software?.frontEndMs ?? 0), tpotMs: tpotS * 1000,
            outputTokensPerSecond: totalS > 0 ? tokens / totalS : 0,
            predicted: plan.predicted, messages: figures.reduce(0) { $0 + $1.messages },
            bytes: figures.reduce(0) { $0 + $1.bytes }, maxRelativeError: nil, notes: [], report: "")
        result.notes = notes(plan: plan, result: result, figures: figures, steps: steps)
        return result
    }

    /// Signed difference of emulated against predicted, in percent.
    static func percent(_ emulated: Double, _ predicted: Double) -> Double {
        predicted != 0 ? (emulated - predicted) / predicted * 100 : 0
    }

    /// Why emulation and prediction differ by more than 5%, from what the chiplets saw: time
    /// idle on pipeline neighbours and in collective steps, and time queued behind busy ports.
    static func notes(plan: Plan, result: EmulationResult, figures: [ChipletFigures], steps: Int) -> [String] {
        var notes: [String] = []
        let n = Double(max(figures.count, 1))
        func meanMs(_ phase: Phase, _ purposes: [Purpose]) -> Double {
            figures.reduce(0) { sum, f in sum + purposes.reduce(0) { $0 + f.idleS[ChipletFigures.slot(phase, $1)] } } / n * 1000
        }
        func queuedMs(_ phase: Phase) -> Double { figures.reduce(0) { $0 + $1.queuedS[phase.index] } / n * 1000 }
        let checks: [(String, Double, Double, Phase, Double)] = [
            ("TTFT", result.ttftMs, result.predicted.ttftMs, .prefill, 1),
            ("TPOT", result.tpotMs, result.predicted.tpotMs, .decode, Double(max(steps, 1))),
        ]
        for (name, emulated, predicted, phase, per) in checks {
            let d = percent(emulated, predicted)
            guard abs(d) > 5, !(name == "TPOT" && steps == 0) else { continue }
            let pipeline = meanMs(phase, [.stageSend, .tokenReturn]) / per
            let collective = meanMs(phase, [.allReduceTP, .allToAllEP]) / per
            let queued = queuedMs(phase) / per
            let host = figures.reduce(0) { $0 + $1.hostWaitS[phase.index] } / n * 1000 / per
            var why = String(format: "%@ %+.1f%% against the prediction: per %@ a chiplet waited on average %.4g ms on pipeline neighbours and %.4g ms in collective steps",
                             name, d, phase == .prefill ? "prefill" : "decode step", pipeline, collective)
            why += queued > 0
                ? String(format: ", and its messages queued %.4g ms behind busy link ports (contention)", queued)
                : "; no message queued behind another (no contention)"
            if host > 0 {
                why += String(format: "; the device waited %.4g ms for the host to prepare iterations (overlapped host step)", host)
            }
            if phase == .decode && plan.strategy.pp > 1 {
                why += "; each decode microbatch waits for its token from the last stage (one more message per step, which the planner does not charge)"
            }
            if collective > 0 {
                why += "; all-reduce steps run one after another on the link model, where the planner uses its closed-form ring/tree formula"
                    + " or measured tables"
            }
            if let a2a = allToAllNote(plan, phase) { why += "; " + a2a }
            notes.append(why)
        }
        if plan.scenario.mode == .continuous && !notes.isEmpty {
            notes.append("the scenario batches continuously: the planner's TTFT is one request's prefill behind a running "
                + "iteration, while the emulator prefills the whole batch at once and then decodes it (static batching)")
        }
        return notes
    }

    /// What the emulated all-to-all does that the planner's figure does not: each member posts its
    /// shares to every peer at once (NCCL's grouped send/receive), so the latencies overlap and
    /// only the wire times add up on its ports (plus the chip's measured fixed cost and achieved
    /// bandwidth, `CollectiveCosts`); the planner takes NCCL's measured all-to-all where
    /// the chip has tables and the group sits in the innermost level, else its closed form,
    /// which adds (f − 1)·α per level. Both are estimated per all-to-all at the plan's bytes. Nil without EP.
    static func allToAllNote(_ plan: Plan, _ phase: Phase) -> String? {
        let ep = plan.strategy.ep
        guard ep > 1, let stage = plan.stages.first else { return nil }
        let h = plan.hierarchy
        let group = GroupShape(stride: plan.strategy.stride(.ep), size: ep, in: h)
        guard let outer = group.outermostLevel else { return nil }
        let bytes = phase == .prefill ? plan.communication.epAllToAllBytesPrefill : plan.communication.epAllToAllBytesDecode
        let once = group.factors.indices.filter { group.factors[$0] > 1 }.map { h.levels[$0].alphaS }.max() ?? 0
        let measuredCost = CollectiveCosts(plan: plan, link: LinkModel(plan)).allToAllEP
        let emulatedS = once + measuredCost.fixedS
            + Double(ep - 1) / Double(ep) * bytes * measuredCost.wireScale / h.sharedBytesPerS(outer)
        let tables = outer == 0 ? plan.chip.flatMap { try? ChipletRates(figures: $0, source: "plan") }?.kernels : nil
        let measured = tables?.collectiveS(.allToAll, bytes: bytes, ranks: ep)
        let plannerS = measured ?? h.allToAllS(bytes: bytes, group: group)
        let perPass = stage.layerClasses.reduce(0) { n, c in
            n + (c < plan.layerClasses.count ? plan.layerClasses[c].ops.reduce(0) { $0 + $1.collectivesAfter.filter { $0 == "allToAll:ep" }.count } : 0)
        }
        guard perPass > 0 else { return nil }
        let microbatches = phase == .prefill ? plan.prefillMicrobatches : plan.decodeMicrobatches
        return String(format: "all-to-all: each member posts its shares to its %d peers at once (latencies overlap, wire times queue "
            + "on its ports): about %.3g µs each on the emulated links, where the planner takes %.3g µs (%@); %d per pass of stage 0 "
            + "× %d microbatches, about %.4g ms per %@ more in the planner",
            ep - 1, emulatedS * 1e6, plannerS * 1e6,
            measured != nil ? "NCCL's measured all-to-all in the chip's kernel tables" : "its closed form, (f − 1)·α per level",
            perPass, microbatches, Double(perPass * microbatches) * (plannerS - emulatedS) * 1000,
            phase == .prefill ? "prefill" : "decode step")
    }

    /// The text rank 0 prints.
    static func report(plan: Plan, result: EmulationResult, figures: [ChipletFigures], options: EmulationOptions) -> String {
        let steps = Lowering.stepCount(plan, options.decodeSteps)
        var lines = [
            "emulated \(figures.count) chiplets of \(plan.model) on \(plan.cluster) (\(plan.strategy), batch \(plan.batch))"
                + (options.oneReplica && plan.strategy.dp > 1 ? ", one replica of \(plan.strategy.dp)" : "")
                + ", prefill + \(steps) decode step\(steps == 1 ? "" : "s"), " + (options.numeric ? "numeric" : "timing") + " mode",
            String(format: "%d messages, %.4g MB", result.messages, result.bytes / 1e6),
            "",
            "              emulated     predicted    diff",
        ]
        let p = result.predicted
        for (name, e, pr) in [("TTFT ms", result.ttftMs, p.ttftMs), ("TPOT ms", result.tpotMs, p.tpotMs),
                              ("tokens/s", result.outputTokensPerSecond, p.outputTokensPerSecond)] {
            let cells = [String(format: "%.5g", e), String(format: "%.5g", pr)].map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + "  " + cells.joined(separator: "  ")
                         + "  " + String(format: "%+.1f%%", percent(e, pr)))
        }
        if let error = result.maxRelativeError {
            lines.append("")
            lines.append(String(format: "max relative error %.3g", error)
                + " (max |emulated − reference| / max |reference| over the final logits)")
            if let q = plan.quantisation, let a = result.accuracy, let vsFP32 = result.maxRelativeErrorVsFP32 {
                lines[lines.count - 1] += ", reference in the same formats"
                lines.append("formats: \(q.label) (attention weights, MLP weights, activations, KV cache)")
                lines.append(String(format: "against FP32: this run's final logits %.3g max relative error; on the fixed token set "
                    + "(%d positions) max relative logit error %.3g, mean %.3g, top-1 agreement %.1f%%, KL divergence %.3g nats",
                    vsFP32, a.positions, a.maxRelativeError, a.meanRelativeError, a.top1Agreement * 100, a.klDivergence))
            }
        }
        if let f = result.failover {
            lines.append("")
            lines += failureLines(plan: plan, failover: f, interruption: result.interruption, figures: figures)
        }
        if !result.notes.isEmpty {
            lines.append("")
            lines += result.notes.map { "note: " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
