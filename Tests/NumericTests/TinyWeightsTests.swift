import ModelGraph
import Runtime
import Testing

@Suite struct TinyWeightsTests {
    @Test func sameSeedSameValuesOtherSeedDiffers() throws {
        let config = try NumericFixtures.llama()
        let a = TinyWeights(config: config, seed: 7), b = TinyWeights(config: config, seed: 7)
        let c = TinyWeights(config: config, seed: 8)
        let name = "layers.3.attn.q_proj"
        #expect(a.block(name, rows: 0..<16, cols: 0..<16) == b.block(name, rows: 0..<16, cols: 0..<16))
        let differing = zip(a.block(name, rows: 0..<16, cols: 0..<16), c.block(name, rows: 0..<16, cols: 0..<16))
            .filter { $0 != $1 }.count
        #expect(differing == 256)
        // Different tensors and transposed coordinates are independent streams.
        #expect(a.value(name, 2, 5) != a.value("layers.3.attn.k_proj", 2, 5))
        #expect(a.value(name, 2, 5) != a.value(name, 5, 2))
    }

    @Test func blockEqualsValues() throws {
        let weights = TinyWeights(config: try NumericFixtures.moe(), seed: 3)
        let name = "layers.1.mlp.experts.5.down_proj"
        let block = weights.block(name, rows: 100..<103, cols: 250..<256)
        let expected = (100..<103).flatMap { row in (250..<256).map { weights.value(name, row, $0) } }
        #expect(block == expected)
    }

    @Test func rangesFollowFanIn() throws {
        let weights = TinyWeights(config: try NumericFixtures.llama(), seed: 1)
        let down = weights.tensor("layers.0.mlp.down_proj")
        let bound: Float = 1 / Float(768).squareRoot()
        #expect(down.count == 768 * 256)
        #expect(down.allSatisfy { abs($0) <= bound })
        #expect((down.max() ?? 0) > 0.99 * bound)
        let norm = weights.tensor("layers.2.input_layernorm")
        #expect(norm.allSatisfy { $0 >= 0.9 && $0 <= 1.1 })
    }

    @Test func tinyLlamaShapes() throws {
        let weights = TinyWeights(config: try NumericFixtures.llama(), seed: 1)
        let shapes: [(String, Int, Int)] = [
            ("embed_tokens", 4096, 256), ("lm_head", 256, 4096), ("norm", 1, 256),
            ("layers.0.input_layernorm", 1, 256), ("layers.3.post_attention_layernorm", 1, 256),
            ("layers.1.attn.q_proj", 256, 256), ("layers.1.attn.k_proj", 256, 128),
            ("layers.1.attn.v_proj", 256, 128), ("layers.1.attn.o_proj", 256, 256),
            ("layers.2.mlp.gate_proj", 256, 768), ("layers.2.mlp.up_proj", 256, 768),
            ("layers.2.mlp.down_proj", 768, 256), ("layers.2.attn.rotary", 0, 0),
        ]
        for (name, rows, cols) in shapes {
            #expect(weights.shape(name) == (rows, cols), "\(name)")
        }
    }

    @Test func tinyMoEShapes() throws {
        let weights = TinyWeights(config: try NumericFixtures.moe(), seed: 1)
        let shapes: [(String, Int, Int)] = [
            ("layers.0.mlp.gate", 256, 8), ("layers.0.mlp.experts.0.gate_proj", 256, 512),
            ("layers.3.mlp.experts.7.up_proj", 256, 512), ("layers.3.mlp.experts.7.down_proj", 512, 256),
            ("layers.0.attn.k_proj", 256, 128), ("embed_tokens", 4096, 256),
        ]
        for (name, rows, cols) in shapes {
            #expect(weights.shape(name) == (rows, cols), "\(name)")
        }
    }

    /// Every weight tensor ModelGraph counts, rebuilt from the shapes, gives the graph's parameter count.
    @Test(arguments: ["tiny-llama.json", "tiny-moe.json"])
    func shapesCoverEveryParameter(_ workload: String) throws {
        let config = try NumericFixtures.config(workload)
        let weights = TinyWeights(config: config, seed: 1)
        var names = ["embed_tokens", "norm", "lm_head"]
        for layer in 0..<config.layers {
            names += ["input_layernorm", "post_attention_layernorm", "attn.q_proj", "attn.k_proj", "attn.v_proj",
                      "attn.o_proj"].map { TensorName.layer(layer, $0) }
            if config.isMoELayer(layer) {
                names.append(TensorName.layer(layer, "mlp.gate"))
                for expert in 0..<config.experts {
                    names += ["gate_proj", "up_proj", "down_proj"].map { TensorName.expert(layer: layer, expert: expert, $0) }
                }
            } else {
                names += ["mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"].map { TensorName.layer(layer, $0) }
            }
        }
        let total = names.map { weights.shape($0) }.reduce(0) { $0 + $1.rows * $1.cols }
        #expect(total == (workload == "tiny-llama.json" ? 5_245_184 : 15_476_992))
    }
}
