import ClusterSpec
import CostModel
import ModelGraph
import Planner
import Testing
@testable import Compiler

/// Each pass on tiny-llama at TP 2, checked against hand counts: per chiplet q is 4 heads × 32 =
/// 128 wide, k and v 2 KV heads × 32 = 64, gate and up 768 / 2 = 384, down reads K = 384.
@Suite struct PassTests {
    static let layerOps = ["input_layernorm", "attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.rotary", "attn.score",
                           "attn.softmax", "attn.context", "attn.o_proj", "attn.residual", "post_attention_layernorm",
                           "mlp.gate_proj", "mlp.up_proj", "mlp.act", "mlp.down_proj", "mlp.residual"]

    func names(_ k: KernelGraph.Kernel) -> [String] { k.group.names.map(shortName) }

    @Test func liftIsOneKernelPerOpButTheAttentionCore() throws {
        let g = try Tiny.graph([])
        #expect(g.sections.map(\.name) == ["head", "tail", "layer class 0"])
        #expect(g.sections.map(\.layers) == [1, 1, 4])
        #expect(g.layer.ops.map { shortName($0.name) } == Self.layerOps)
        // 16 ops; score, softmax and context are one FlashAttention kernel on every stack: 14.
        #expect(g.layer.kernels.count == 14)
        #expect(names(g.layer.kernels[5]) == ["attn.score", "attn.softmax", "attn.context"])
        #expect(g.layer.kernels.filter { $0.group.isGEMM }.allSatisfy { $0.group.unpadded == true })
        #expect(g.layer.kernels.filter { $0.group.isGEMM }.count == 7)  // q, k, v, o, gate, up, down
    }

    @Test func foldConstantsStatesTheRotaryTableAndMovesNothing() throws {
        let before = try Tiny.graph([]), after = try Tiny.graph([FoldConstants()])
        #expect(after.layer.kernels.map(\.group) == before.layer.kernels.map(\.group))
        // cos and sin of 2,048 positions × 16 rotated pairs in bf16: 2 × 2048 × 16 × 2 B = 128 KiB.
        #expect(after.layer.kernels[4].notes == ["fold-constants: attn.rotary reads cos/sin from a constant table of 2048 positions × 16 (128 KiB)"])
        #expect(after.layer.kernels.map(\.notes.count).reduce(0, +) == 1)
    }

    @Test func fuseKernelsGroupsAsTheProfileSays() throws {
        let g = try Tiny.graph([FoldConstants(), FuseKernels()])
        #expect(g.layer.kernels.map(names) == [
            ["attn.q_proj", "attn.k_proj", "attn.v_proj"], ["attn.score", "attn.softmax", "attn.context"], ["attn.o_proj"],
            ["attn.residual", "post_attention_layernorm"], ["mlp.gate_proj", "mlp.up_proj", "mlp.act"], ["mlp.down_proj"],
            ["mlp.residual", "input_layernorm"]])
        #expect(g.layer.kernels[0].group.n == 128 + 64 + 64 && g.layer.kernels[0].group.k == 256)
        #expect(g.layer.kernels[4].group.n == 384 + 384)
        // The rotary runs inside attention now, and its folded table's note went with it.
        #expect(g.layer.kernels[1].notes.first?.hasPrefix("fold-constants: attn.rotary") == true)
        #expect(g.layer.kernels[0].notes == ["fuse-kernels: attn.q_proj + attn.k_proj + attn.v_proj as one kernel"])
        // Only the fusions the profile lists: q/k/v alone leaves 12 kernels; none leaves 14.
        #expect(try Tiny.graph([FuseKernels()], context: Tiny.context(fusions: [.qkv])).layer.kernels.count == 12)
        #expect(try Tiny.graph([FuseKernels()], context: Tiny.context(fusions: [])).layer.kernels.count == 14)
    }

    /// The default pipeline's kernels are the planner's, field for field.
    @Test func defaultPassesGiveThePlannersKernels() throws {
        let passes = Pipeline.passes.filter(\.enabledByDefault)
        let g = try Tiny.graph(passes), planned = try Tiny.shard()
        #expect(g.layer.kernels.map(\.group) == planned.classes[0].groups)
        #expect(g.head.kernels.map(\.group) == planned.head.groups)
        #expect(g.tail.kernels.map(\.group) == planned.tail.groups)
    }

    @Test func foldNormWeightsTakesGammaOutOfTheNormKernels() throws {
        let fused = try Tiny.graph([FuseKernels()]), folded = try Tiny.graph([FuseKernels(), FoldNormWeights()])
        // γ is 256 bf16 values split over TP 2: 256 B per norm; RMSNorm's 4 FLOPs per element lose the γ multiply:
        // 128 elements per chiplet → 128 FLOPs per token per norm.
        for k in [3, 6] {
            #expect(fused.layer.kernels[k].group.weightBytes - folded.layer.kernels[k].group.weightBytes == 256)
            #expect(fused.layer.kernels[k].group.vectorFLOPsPerToken - folded.layer.kernels[k].group.vectorFLOPsPerToken == 128)
        }
        #expect(folded.layer.kernels[6].notes.last == "fold-norm-weights: γ of input_layernorm (256 B) folded into attn.q_proj, attn.k_proj, attn.v_proj")
        // The final norm folds into the LM head.
        #expect(folded.tail.kernels[0].group.weightBytes == 0)
        #expect(!FoldNormWeights().enabledByDefault)
    }

    @Test func layoutTilesNamesTheBlocksAndMovesNothing() throws {
        let before = try Tiny.graph([FuseKernels()]), after = try Tiny.graph([FuseKernels(), LayoutTiles()])
        #expect(after.layer.kernels.map(\.group) == before.layer.kernels.map(\.group))
        #expect(after.layer.kernels[0].notes.last
            == "layout-tiles: K×N = 256×256 in 128×128 blocks, K-major, N = attn.q_proj | attn.k_proj | attn.v_proj")
        // Attention has no weight matrix to lay out.
        #expect(after.layer.kernels[1].notes.count == before.layer.kernels[1].notes.count)
    }

    @Test func padToArrayRoundsToWholeTilesAndPricesThem() throws {
        // TP 4: down_proj reads K = 768 / 4 = 192, padded to 256: 256/192 − 1 = 33.3% more work.
        let g = try Tiny.graph(tp: 4, [FuseKernels(), PadToArray()], context: Tiny.context(tp: 4))
        #expect(g.layer.kernels.allSatisfy { $0.group.unpadded == nil })
        #expect(g.layer.kernels[5].notes.last == "pad-to-array: N 256→256, K 192→256 (33.3% padded work; not priced: the chip file gives no array)")
        // On H100's 132 SMs a 1024 × 192 output is 8 × 2 tiles of 128 × 128: one wave of 132 tiles is
        // charged, 132·128·128 / (1024·192) = 11 times the ideal array's work.
        var spec = try ClusterSpec.load(path: Tiny.path("Clusters/dgx-h100.yaml"))
        spec.chiplet.compute.kernels = nil
        let r = try ChipletRates(cluster: spec, precision: Precision(.bf16))
        let tiers = TierChoice(weights: 0, kvCache: 0, activations: 0)
        let padded = r.gemmS(m: 1024, n: 192, k: 256, weightBytes: 0, activationBytes: 0, tiers: tiers)
        let ideal = r.gemmS(m: 1024, n: 192, k: 256, weightBytes: 0, activationBytes: 0, tiers: tiers, padded: false)
        #expect(abs(padded / ideal - 11) < 1e-12)
    }

    @Test func tileToMemoryCutsWeightsToHalfTheBuffer() throws {
        // A 128 KiB buffer leaves 64 KiB a tile: q_proj's 256 × 128 bf16 block (64 KiB) plus one row
        // in and out (768 B) does not fit, so K halves: two tiles of 128 × 128.
        let small = try Tiny.graph([FuseKernels(), TileToMemory()], context: Tiny.context(bufferBytes: 131_072))
        let q = try #require(small.layer.tilings[small.layer.ops[1].name])
        #expect(q == Tiling(tileK: 128, tileN: 128, tiles: 2, paddingWaste: 0))
        #expect(small.layer.kernels[0].notes.last == "tile-memory: 6 tiles of ≤ 128×128 in 64 KiB")
        // 16 MiB (half of the assumed 32 MiB): q, k and v are one tile each.
        let big = try Tiny.graph([FuseKernels(), TileToMemory()])
        #expect(big.layer.kernels[0].notes.last == "tile-memory: 3 tiles of ≤ 256×128 in 16 MiB")
        #expect(big.layer.tilings.count == 7)  // q, k, v, o, gate, up, down
    }

    @Test func scheduleOrdersKernelsAndPrefetchesTheNextWeights() throws {
        let g = try Tiny.graph([FuseKernels(), ScheduleKernels()])
        // Attention (k1) has no weights: q/k/v's successor to prefetch is o_proj (k2).
        #expect(g.layer.kernels[0].notes.last == "schedule: #1 of 7; prefetches k2's weights")
        #expect(g.layer.kernels[6].notes.last == "schedule: #7 of 7")
        let stationary = try Tiny.graph([FuseKernels(), ScheduleKernels()], context: Tiny.context(weightStationary: true))
        #expect(stationary.layer.kernels[0].notes.last == "schedule: #1 of 7; weights stay on chip")
    }

    @Test func unknownPassNamesAreRefusedWithTheList() {
        #expect(throws: CompileError.self) { try PassOptions(disabled: ["fuse"]).check() }
        let e = #expect(throws: CompileError.self) { try PassOptions(enabled: ["fold"]).check() }
        #expect(e?.description == "--enable-pass fold: no such pass; expected one of fold-constants, fuse-kernels, "
            + "fold-norm-weights, layout-tiles, pad-to-array, tile-memory, schedule")
    }
}
