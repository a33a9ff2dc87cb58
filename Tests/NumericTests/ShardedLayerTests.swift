import ModelGraph
import Runtime
import Testing

/// Summing per-rank partials (in rank order, as a ring all-reduce would) reproduces the unsharded layer.
@Suite struct ShardedLayerTests {
    /// Six hidden rows of one sequence: five to prefill, one to decode.
    static func hidden(_ weights: TinyWeights) -> [Float] {
        ModelHead(weights: weights).embed(Reference.prompt(config: weights.config, batch: 1, length: 6, seed: 9)[0])
    }

    static func sum(_ parts: [[Float]]) -> [Float] {
        parts.dropFirst().reduce(parts[0], Kernels.add)
    }

    /// Prefill of rows 0..<5, then decode of row 5, through `layers` each with its own cache.
    static func attention(_ layers: [ShardedLayer], _ hidden: [Float]) -> (prefill: [Float], decode: [Float]) {
        let width = layers[0].config.hiddenSize
        var caches = layers.map { $0.makeCache() }
        let prefill = sum(layers.indices.map { layers[$0].attentionPartial(Array(hidden[..<(5 * width)]), tokens: 5, cache: &caches[$0]) })
        let decode = sum(layers.indices.map { layers[$0].attentionPartial(Array(hidden[(5 * width)...]), tokens: 1, cache: &caches[$0]) })
        return (prefill, decode)
    }

    @Test(arguments: [1, 2, 4, 8])
    func attentionPartialsSumToTheLayer(tp: Int) throws {
        let weights = TinyWeights(config: try NumericFixtures.llama(), seed: 2)
        let hidden = Self.hidden(weights)
        let whole = Self.attention([ShardedLayer(weights: weights, layer: 1)], hidden)
        let ranks = (0..<tp).map { ShardedLayer(weights: weights, layer: 1, tpRank: $0, tpSize: tp) }
        let sharded = Self.attention(ranks, hidden)
        let errors = (NumericFixtures.relativeError(sharded.prefill, whole.prefill),
                      NumericFixtures.relativeError(sharded.decode, whole.decode))
        print("attention tp \(tp): prefill \(errors.0), decode \(errors.1)")
        #expect(errors.0 <= 1e-5 && errors.1 <= 1e-5)
        #expect(whole.prefill.count == 5 * 256 && whole.decode.count == 256)
    }

    @Test(arguments: [1, 2, 4, 8])
    func denseMLPPartialsSumToTheLayer(tp: Int) throws {
        let weights = TinyWeights(config: try NumericFixtures.llama(), seed: 2)
        let hidden = Self.hidden(weights)
        let whole = ShardedLayer(weights: weights, layer: 2).mlpPartial(hidden, tokens: 6)
        let sharded = Self.sum((0..<tp).map {
            ShardedLayer(weights: weights, layer: 2, tpRank: $0, tpSize: tp).mlpPartial(hidden, tokens: 6)
        })
        let error = NumericFixtures.relativeError(sharded, whole)
        print("dense MLP tp \(tp): \(error)")
        #expect(error <= 1e-5)
    }

    @Test(arguments: [(1, 1), (1, 2), (1, 4), (1, 8), (2, 4), (4, 2)])
    func expertPartialsCombineToTheMoE(tp: Int, ep: Int) throws {
        let weights = TinyWeights(config: try NumericFixtures.moe(), seed: 2)
        let hidden = Self.hidden(weights)
        let whole = ShardedLayer(weights: weights, layer: 3)
        let ranks = (0..<ep).flatMap { epRank in
            (0..<tp).map { ShardedLayer(weights: weights, layer: 3, tpRank: $0, tpSize: tp, epRank: epRank, epSize: ep) }
        }
        let sharded = Self.sum(ranks.map { $0.mlpPartial(hidden, tokens: 6) })
        let error = NumericFixtures.relativeError(sharded, whole.mlpPartial(hidden, tokens: 6))
        print("MoE tp \(tp) ep \(ep): \(error)")
        #expect(error <= 1e-5)
        // Every rank routes alike: two experts per token, weights summing to 1.
        let routing = ranks.last.map { $0.routing(hidden, tokens: 6) } ?? []
        #expect(routing == whole.routing(hidden, tokens: 6))
        #expect(routing.allSatisfy { $0.count == 2 && abs($0[0].weight + $0[1].weight - 1) < 1e-6 })
    }

    /// The reference MoE, written per token over its top-2 choices, against the per-expert layer.
    @Test func moeMatchesPerTokenFormula() throws {
        let weights = TinyWeights(config: try NumericFixtures.moe(), seed: 4)
        let config = weights.config
        let hidden = Self.hidden(weights)
        let layer = ShardedLayer(weights: weights, layer: 0)
        let normed = Kernels.rmsNorm(hidden, weight: weights.tensor("layers.0.post_attention_layernorm"))
        var expected: [Float] = []
        for (t, choices) in layer.routing(hidden, tokens: 6).enumerated() {
            var row = [Float](repeating: 0, count: 256)
            let x = Array(normed[(t * 256)..<((t + 1) * 256)])
            for choice in choices {
                let name = { TensorName.expert(layer: 0, expert: choice.expert, $0) }
                let gate = Kernels.matmul(x, weights.tensor(name("gate_proj")), m: 1, k: 256, n: config.moeIntermediateSize)
                let up = Kernels.matmul(x, weights.tensor(name("up_proj")), m: 1, k: 256, n: config.moeIntermediateSize)
                let y = Kernels.matmul(Kernels.swiglu(gate: gate, up: up), weights.tensor(name("down_proj")),
                                       m: 1, k: config.moeIntermediateSize, n: 256)
                row = Kernels.add(row, y.map { $0 * choice.weight })
            }
            expected += row
        }
        #expect(NumericFixtures.relativeError(layer.mlpPartial(hidden, tokens: 6), expected) <= 1e-6)
    }

    @Test func vocabularySlicesGatherToTheHead() throws {
        let weights = TinyWeights(config: try NumericFixtures.llama(), seed: 2)
        let hidden = Array(Self.hidden(weights)[..<(2 * 256)])
        let whole = ModelHead(weights: weights).logits(hidden, rows: 2)
        let heads = (0..<4).map { ModelHead(weights: weights, tpRank: $0, tpSize: 4) }
        #expect(heads.map(\.vocab) == [0..<1024, 1024..<2048, 2048..<3072, 3072..<4096])
        #expect(ModelHead.gather(heads.map { $0.logits(hidden, rows: 2) }, rows: 2) == whole)
    }
}
