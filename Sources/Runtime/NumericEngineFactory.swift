import ModelGraph
import Planner

/// Builds the numeric engine of one chiplet and checks the gathered logits (numeric mode).
enum NumericEngineFactory {
    static func make(plan: Plan, program: Program, options: EmulationOptions) throws -> NumericEngine {
        try ChipletNumerics(plan: plan, program: program, seed: options.seed)
    }

    /// What rank 0 finds in the gathered logits.
    struct Check {
        /// Max |emulated − reference| / max |reference| over all final logits, the reference being
        /// the unpartitioned model in the plan's formats: a relative error that a near-zero logit
        /// cannot inflate.
        var maxRelativeError: Double
        /// With formats other than FP32: the same measure against the FP32 model fed the same tokens.
        var maxRelativeErrorVsFP32: Double?
        /// With formats other than FP32: their cost on the fixed token set.
        var accuracy: LogitAccuracy?
    }

    static func compare(plan: Plan, options: EmulationOptions, logits: [(sequence: Int, logits: [Float])]) throws -> Check {
        let replicas = options.oneReplica ? 1 : plan.strategy.dp
        let config = plan.modelConfig
        let quantisation = plan.quantisation ?? .fp32
        let weights = TinyWeights(config: config, seed: options.seed, quantisation: quantisation)
        let prompts = Reference.prompt(config: config, batch: plan.batch * plan.strategy.dp,
                                       length: plan.scenario.inputTokens, seed: options.seed)
        let sequences = plan.batch * replicas
        let reference = Reference.greedy(config: config, weights: weights, tokens: Array(prompts.prefix(sequences)),
                                         decodeSteps: Lowering.stepCount(plan, options.decodeSteps))
        var got: [Int: [Float]] = [:]
        for row in logits { got[row.sequence] = row.logits }
        var emulated: [Float] = [], wanted: [Float] = []
        for (seq, want) in reference.enumerated() {
            guard let have = got[seq], have.count == want.logits.count else {
                throw FabricError.missingLogits(sequence: seq, got: got.count, sequences: sequences)
            }
            emulated += have
            wanted += want.logits
        }
        let vocab = config.vocabSize
        var check = Check(maxRelativeError: LogitAccuracy(reference: wanted, quantised: emulated, vocab: vocab).maxRelativeError)
        guard quantisation != .fp32 else { return check }
        // FP32 on the tokens the quantised model chose: its logits at the same last positions.
        let fp32 = TinyWeights(config: config, seed: options.seed)
        let fp32Last = Reference.everyPosition(weights: fp32, tokens: reference.map(\.tokens)).flatMap { $0.suffix(vocab) }
        check.maxRelativeErrorVsFP32 = LogitAccuracy(reference: fp32Last, quantised: emulated, vocab: vocab).maxRelativeError
        check.accuracy = LogitAccuracy.measure(config: config, seed: options.seed, quantisation: quantisation,
                                               tokens: LogitAccuracy.tokenSet(config: config, sequences: options.accuracySequences,
                                                                              tokens: options.accuracyTokens))
        return check
    }
}
