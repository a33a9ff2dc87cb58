import ModelGraph
import Runtime
import Testing

/// The whole model run as a TP × EP group would run it, without a fabric: every layer's partials
/// summed in rank order, the LM head's vocabulary slices gathered, then greedy decode. This is the
/// chain numeric emulation performs, so its logits must match the reference.
@Suite struct PartitionedForwardTests {
    static func logits(weights: TinyWeights, tokens: [[Int]], decodeSteps: Int, tp: Int, ep: Int) -> [[Float]] {
        let config = weights.config
        let ranks = (0..<ep).flatMap { epRank in (0..<tp).map { (tpRank: $0, epRank: epRank) } }
        let layers = (0..<config.layers).map { layer in
            ranks.map { ShardedLayer(weights: weights, layer: layer, tpRank: $0.tpRank, tpSize: tp, epRank: $0.epRank, epSize: ep) }
        }
        let heads = (0..<tp).map { ModelHead(weights: weights, tpRank: $0, tpSize: tp) }
        func sum(_ parts: [[Float]]) -> [Float] { parts.dropFirst().reduce(parts[0], Kernels.add) }
        return tokens.map { prompt in
            var caches = layers.map { $0.map { $0.makeCache() } }
            func forward(_ tokens: [Int]) -> [Float] {
                let count = tokens.count, width = config.hiddenSize
                var hidden = heads[0].embed(tokens)
                for layer in 0..<config.layers {
                    // Attention is TP only: EP rank 0's TP group stands for every EP replica.
                    let attention = (0..<tp).map { layers[layer][$0].attentionPartial(hidden, tokens: count, cache: &caches[layer][$0]) }
                    hidden = Kernels.add(hidden, sum(attention))
                    hidden = Kernels.add(hidden, sum(layers[layer].map { $0.mlpPartial(hidden, tokens: count) }))
                }
                let last = Array(hidden[((count - 1) * width)...])
                return ModelHead.gather(heads.map { $0.logits(last, rows: 1) }, rows: 1)
            }
            var logits = forward(prompt)
            for _ in 0..<decodeSteps { logits = forward(Kernels.argmax(logits, width: config.vocabSize)) }
            return logits
        }
    }

    @Test(arguments: [("tiny-llama.json", 2, 1), ("tiny-llama.json", 8, 1), ("tiny-moe.json", 1, 8), ("tiny-moe.json", 2, 4)])
    func partitionedLogitsMatchTheReference(workload: String, tp: Int, ep: Int) throws {
        let (config, weights, prompt) = try NumericFixtures.model(workload, seed: 11, batch: 2, length: 5)
        let reference = Reference.logits(config: config, weights: weights, tokens: prompt, decodeSteps: 3)
        let partitioned = Self.logits(weights: weights, tokens: prompt, decodeSteps: 3, tp: tp, ep: ep)
        let error = zip(partitioned, reference).map { NumericFixtures.relativeError($0, $1) }.max() ?? 1
        print("\(workload) tp \(tp) ep \(ep) after 3 decode steps: max relative error \(error)")
        #expect(error <= 1e-5)
    }
}
