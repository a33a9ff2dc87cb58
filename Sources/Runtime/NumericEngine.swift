import ModelGraph
import Planner

/// Real Float32 math for one chiplet (numeric mode), on the shards NUMERIC's `ShardedLayer` and
/// `ModelHead` build from the seed. Ops compute on their first tile (the whole op at once; later
/// tiles only cost time). A collective's buffer is `partial`: o_proj and down_proj leave their
/// TP partial sums there, all-reduce steps add and copy real parts of it, the residual add
/// consumes it. The vocabulary-parallel embedding and LM head also reduce through it (each rank
/// contributes its vocabulary rows or columns, zeros elsewhere, so the sum is exact). EP
/// dispatch sends a rank's token rows to every EP peer, which routes them itself (routing is
/// replicated) and returns its experts' weighted outputs in the combine step.
final class ChipletNumerics: NumericEngine {
    enum Role { case none, embedding, residual, logits }

    let config: ModelConfig
    let program: Program
    let kinds: [OpKind?]
    let head: ModelHead?
    let layers: [Int: ShardedLayer]
    let tp: Int
    let epGroup: [Int]
    /// Global sequences of each microbatch on this chiplet.
    let sequences: [[Int]]
    let prompts: [[Int]]
    let width: Int

    private var phase = Phase.prefill
    private var microbatch = -1
    private var x: [Float] = []
    private var partial: [Float] = []
    private var role = Role.none
    private var caches: [Int: [Int: KVCache]] = [:]
    /// Next input token of each sequence (argmax of its last logits).
    private var tokens: [Int: Int] = [:]
    private var lastLogits: [Int: [Float]] = [:]
    private var dispatched: [Int: [Float]] = [:]
    private var expertOut: [Int: [Float]] = [:]
    private var combining = false

    init(plan: Plan, program: Program, seed: UInt64) throws {
        config = plan.modelConfig
        self.program = program
        let s = plan.strategy
        let quantisation = plan.quantisation ?? .fp32
        if quantisation.needsCalibration && quantisation.calibration == nil {
            throw FabricError.numericSplit(reason: "the plan's formats (\(quantisation.label)) need calibrated scales for "
                + "activations or K/V and it has none; write it with `tessera plan --formats` on a tiny workload")
        }
        do { try Shards.check(config: config, tp: s.tp, ep: s.ep, activations: quantisation.activations) } catch { throw FabricError.numericSplit(reason: "\(error)") }
        let m = plan.decodeMicrobatches
        guard plan.batch % (m * s.ep) == 0 else {
            throw FabricError.numericBatch(batch: plan.batch, microbatches: m, ep: s.ep)
        }
        let weights = TinyWeights(config: config, seed: seed, quantisation: quantisation)
        kinds = (plan.head.ops + plan.tail.ops + plan.layerClasses.flatMap(\.ops)).map { OpKind(rawValue: $0.kind) }
        tp = s.tp
        width = config.hiddenSize
        let stage = plan.stages[program.stage]
        let endStage = program.stage == 0 || program.stage == s.pp - 1
        head = endStage ? ModelHead(weights: weights, tpRank: program.tpRank, tpSize: s.tp) : nil
        var layers: [Int: ShardedLayer] = [:]
        for l in stage.firstLayer..<(stage.firstLayer + stage.layerCount) {
            let moe = config.isMoELayer(l)
            layers[l] = ShardedLayer(weights: weights, layer: l, tpRank: program.tpRank, tpSize: s.tp,
                                     epRank: moe ? program.epRank : 0, epSize: moe ? s.ep : 1)
        }
        self.layers = layers
        epGroup = plan.chiplets[program.chiplet].epGroup
        let perMicrobatch = plan.batch / m, perRank = perMicrobatch / s.ep
        let base = program.dpRank * plan.batch
        sequences = (0..<m).map { j in
            let first = base + j * perMicrobatch + program.epRank * perRank
            return Array(first..<(first + perRank))
        }
        prompts = Reference.prompt(config: config, batch: plan.batch * s.dp, length: plan.scenario.inputTokens, seed: seed)
    }

    var finalLogits: [(sequence: Int, logits: [Float])] {
        settle()
        guard program.tpRank == 0 else { return [] }
        return lastLogits.keys.sorted().compactMap { k in lastLogits[k].map { (k, $0) } }
    }

    func begin(_ phase: Phase, step: Int) {
        settle()
        self.phase = phase
        microbatch = -1
    }

    private var rowsPerSequence: Int { phase == .prefill ? prompts.first?.count ?? 0 : 1 }
    private var current: [Int] { microbatch >= 0 && microbatch < sequences.count ? sequences[microbatch] : [] }

    /// Folds a finished reduction into the state that consumes it.
    private func settle() {
        switch role {
        case .embedding:
            x = partial
        case .logits:
            let vocab = config.vocabSize
            for (i, seq) in current.enumerated() {
                let row = Array(partial[(i * vocab)..<((i + 1) * vocab)])
                lastLogits[seq] = row
                tokens[seq] = Kernels.argmax(row, width: vocab).first ?? 0
            }
        case .none, .residual:
            return
        }
        role = .none
    }

    func compute(_ c: Compute) throws {
        guard c.tile == 0, Int(c.op) < kinds.count, let kind = kinds[Int(c.op)] else { return }
        if kind != .residualAdd { settle() }
        let layer = Int(c.layer), rows = rowsPerSequence
        switch kind {
        case .embedding:
            if program.stage == 0 { microbatch += 1 }
            guard let head else { return }
            let ids = current.flatMap { phase == .prefill ? prompts[$0] : [tokens[$0] ?? 0] }
            let vocab = Shards.range(extent: config.vocabSize, parts: tp, index: program.tpRank)
            partial = head.embed(ids)
            for (r, id) in ids.enumerated() where !vocab.contains(id) {
                for j in 0..<width { partial[r * width + j] = 0 }
            }
            role = .embedding
        case .outputProjection:
            guard let l = layers[layer] else { return }
            var out: [Float] = []
            for (i, seq) in current.enumerated() {
                var cache = caches[layer]?[seq] ?? l.makeCache()
                out += l.attentionPartial(Array(x[(i * rows * width)..<((i + 1) * rows * width)]), tokens: rows, cache: &cache)
                caches[layer, default: [:]][seq] = cache
            }
            partial = out
            role = .residual
        case .mlpDown:
            guard let l = layers[layer] else { return }
            partial = l.mlpPartial(x, tokens: x.count / width)
            role = .residual
        case .router:
            dispatched = [program.chiplet: x]
            combining = false
        case .expertDown:
            guard let l = layers[layer] else { return }
            expertOut = dispatched.mapValues { l.mlpPartial($0, tokens: $0.count / width) }
            partial = expertOut[program.chiplet] ?? []
            combining = true
            role = .residual
        case .residualAdd:
            x = Kernels.add(x, partial)
            role = .none
        case .lmHead:
            guard let head else { return }
            var lasts: [Float] = []
            for i in current.indices {
                let end = (i + 1) * rows * width
                lasts += x[(end - width)..<end]
            }
            let slice = head.logits(lasts, rows: current.count)
            let vocab = config.vocabSize, mine = head.vocab
            partial = [Float](repeating: 0, count: current.count * vocab)
            for i in current.indices {
                for (k, v) in mine.enumerated() { partial[i * vocab + v] = slice[i * mine.count + k] }
            }
            role = .logits
        default:
            return
        }
    }

    private func range(_ t: Transfer, count n: Int) -> Range<Int> {
        let units = max(Int(t.units), 1)
        return (Int(t.unitStart) * n / units)..<((Int(t.unitStart) + Int(t.unitCount)) * n / units)
    }

    func payload(for t: Transfer) throws -> [Float] {
        switch t.purpose {
        case .allReduceTP:
            return Array(partial[range(t, count: partial.count)])
        case .allToAllEP:
            return combining ? expertOut[Int(t.peer)] ?? [] : x
        case .stageSend:
            settle()
            return x
        case .tokenReturn:
            settle()
            return sequences[Int(t.step)].map { Float(tokens[$0] ?? 0) }
        case .result, .iteration, .kvHandOff:
            return []
        }
    }

    func received(_ t: Transfer, payload: [Float]) throws {
        switch t.purpose {
        case .allReduceTP:
            let r = range(t, count: partial.count)
            guard payload.count == r.count else {
                throw FabricError.numericPayload(operation: "all-reduce", chiplet: program.chiplet, got: payload.count,
                                                 expected: r.count)
            }
            if t.combine == .add {
                for (k, i) in r.enumerated() { partial[i] += payload[k] }
            } else {
                partial.replaceSubrange(r, with: payload)
            }
        case .allToAllEP:
            if combining {
                guard payload.count == partial.count else {
                    throw FabricError.numericPayload(operation: "combine", chiplet: program.chiplet, got: payload.count,
                                                     expected: partial.count)
                }
                partial = Kernels.add(partial, payload)
            } else {
                dispatched[Int(t.peer)] = payload
            }
        case .stageSend:
            microbatch = Int(t.step)
            x = payload
        case .tokenReturn:
            if Int(t.step) < sequences.count {
                for (seq, token) in zip(sequences[Int(t.step)], payload) { tokens[seq] = Int(token) }
            }
        case .result, .iteration, .kvHandOff:
            return
        }
    }
}
