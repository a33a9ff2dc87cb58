import Planner

/// Builds the numeric engine of one chiplet and checks the gathered logits (numeric mode).
enum NumericEngineFactory {
    static func make(plan: Plan, program: Program, options: EmulationOptions) throws -> NumericEngine {
        try ChipletNumerics(plan: plan, program: program, seed: options.seed)
    }

    /// Max |emulated − reference| over all final logits divided by max |reference|: a relative
    /// error that a near-zero logit cannot inflate.
    static func compare(plan: Plan, options: EmulationOptions, logits: [(sequence: Int, logits: [Float])]) throws -> Double {
        let replicas = options.oneReplica ? 1 : plan.strategy.dp
        let config = plan.modelConfig
        let weights = TinyWeights(config: config, seed: options.seed)
        let prompts = Reference.prompt(config: config, batch: plan.batch * plan.strategy.dp,
                                       length: plan.scenario.inputTokens, seed: options.seed)
        let sequences = plan.batch * replicas
        let reference = Reference.logits(config: config, weights: weights, tokens: Array(prompts.prefix(sequences)),
                                         decodeSteps: Lowering.stepCount(plan, options.decodeSteps))
        var got: [Int: [Float]] = [:]
        for row in logits { got[row.sequence] = row.logits }
        var maxDiff = 0.0, maxRef = 0.0
        for (seq, want) in reference.enumerated() {
            guard let have = got[seq], have.count == want.count else {
                throw FabricError.missingLogits(sequence: seq, got: got.count, sequences: sequences)
            }
            for (a, b) in zip(have, want) {
                maxDiff = max(maxDiff, abs(Double(a) - Double(b)))
                maxRef = max(maxRef, abs(Double(b)))
            }
        }
        return maxDiff / max(maxRef, 1e-30)
    }
}
