import ClusterSpec
import CostModel
import ModelGraph
import Testing

@Suite struct CostModelTests {
    /// One 1024 × 4096 × 4096 bf16 matmul on one chip: 100 TFLOPS × 0.5 sustained = 50 TFLOPS.
    @Test func singleMatmulOnOneChip() throws {
        let rates = try ChipletRates(cluster: try handCluster(chiplets: 1), precision: .bf16)
        let flops = 2.0 * 1024 * 4096 * 4096            // 34,359,738,368
        let bytes = (4096.0 * 4096 + 2 * 1024 * 4096) * 2  // weights + input + output, bf16
        let t = rates.rooflineS(flops: flops, matmul: true, bytes: bytes, tier: 0)
        #expect(t == flops / 50e12)                      // compute-bound: 687.19 µs
        #expect(abs(t - 687.194767e-6) < 1e-12)
        // Memory-bound when the same bytes meet a tiny matmul: 50,331,648 B at 1,000 GB/s.
        #expect(rates.rooflineS(flops: 1e6, matmul: true, bytes: bytes, tier: 0) == bytes / 1e12)
    }

    /// Tiny-llama's fused QKV GEMM for 64 decode tokens on one chip, from the graph: q 256 → 256,
    /// k and v 256 → 128 each (4 of 8 heads), so N = 512, K = 256: 2·64·512·256 FLOPs, 256·512
    /// bf16 weights, 64 × (256 in + 512 out) bf16 activations. Memory-bound at 1,000 GB/s.
    @Test func fusedQKVGroupOfAGraph() throws {
        let model = try ModelGraph.load(path: Repo.workload("tiny-llama"))
        let shard = ModelShard(model: model, shard: Shard(tp: 1), precision: .bf16)
        let rates = try ChipletRates(cluster: try handCluster(chiplets: 1), precision: .bf16)
        let qkv = try #require(shard.classes[0].groups.first { $0.kind == .gemm })
        #expect(qkv.names == ["layers.0.attn.q_proj", "layers.0.attn.k_proj", "layers.0.attn.v_proj"])
        #expect(qkv.n == 512 && qkv.k == 256)
        let c = qkv.cost(Work.decode(sequences: 64, context: 0), ep: 1, rates: rates,
                         tiers: TierChoice(weights: 0, kvCache: 0, activations: 0))
        #expect(c.flops == 16_777_216)
        #expect(c.bytes == 262_144 + 98_304)
        #expect(c.seconds == max(16_777_216 / 50e12, 360_448 / 1e12))
        // With every fusion a Llama layer is 7 kernels: input norm (with the last residual), QKV,
        // attention (with rotary), o_proj, residual + norm, gate/up + SiLU, down.
        #expect(shard.classes[0].groups.count == 7)
        let bare = ModelShard(model: model, shard: Shard(tp: 1), precision: .bf16, fusions: [])
        #expect(bare.classes[0].groups.count == 14)  // 16 ops, the three attention ops in one kernel
    }

    /// Decode attention without a GQA kernel (TensorRT-LLM v0.5's masked multi-head attention):
    /// tiny-llama's 8 query heads share 4 K/V heads of 32, bf16, so K and V are 4 · 32 · 2 · 2 =
    /// 512 bytes a position; each query head reads its own copy, so 16 sequences at context 100
    /// read 1,600 · 512 bytes more, and memory-bound at 1,000 GB/s take 819.2 ns longer.
    @Test func decodeWithoutGroupedQueryKernelReadsKVPerQueryHead() throws {
        let model = try ModelGraph.load(path: Repo.workload("tiny-llama"))
        let shard = ModelShard(model: model, shard: Shard(tp: 1), precision: .bf16)
        let attention = try #require(shard.classes[0].groups.first { $0.kind == .attention })
        #expect(attention.kvBytesPerPosition == 512)
        let work = Work.decode(sequences: 16, context: 100)
        let tiers = TierChoice(weights: 0, kvCache: 0, activations: 0)
        func cost(grouped: Bool) throws -> OpCost {
            let software = SoftwareProfile(name: "t", groupedQueryDecode: grouped)
            let rates = try ChipletRates(cluster: try handCluster(chiplets: 1), precision: .bf16, software: software)
            return attention.cost(work, ep: 1, rates: rates, tiers: tiers)
        }
        let grouped = try cost(grouped: true), perHead = try cost(grouped: false)
        #expect(perHead.bytes - grouped.bytes == 1600 * 512)
        #expect(perHead.flops == grouped.flops)
        #expect(abs(perHead.seconds - grouped.seconds - 819.2e-9) < 1e-15)
    }

    /// Ring all-reduce of 64 MB over 8 chiplets on a 100 GB/s, 2 µs ring:
    /// 2·7·2 µs + 2·(7/8)·64e6 / 100e9 s = 1.148 ms (Thakur et al. 2005).
    @Test func ringAllReduceOnAKnownLink() throws {
        let h = Hierarchy(try handCluster(chiplets: 8))
        let group = GroupShape(stride: 1, size: 8, in: h)
        #expect(group.factors == [8])
        let t = h.allReduceS(bytes: 64e6, group: group)
        #expect(abs(t - 1.148e-3) < 1e-12)
        // Small messages take the binomial tree: 2·⌈log2 8⌉·(2 µs + 8 KB / 100 GB/s) = 12.48 µs < ring's 28.14 µs.
        #expect(abs(h.allReduceS(bytes: 8e3, group: group) - 12.48e-6) < 1e-12)
    }

    /// The same 8 chiplets on a switch: a small message goes one-shot, each pushing its 8 KB to the
    /// 7 others, 2 µs + 7 · 8 KB / 100 GB/s = 2.56 µs (under the tree's 12.48 µs); a large one
    /// still takes the ring. On the ring above one-shot is never taken (no direct path to each peer).
    @Test func oneShotAllReduceOnASwitch() throws {
        let h = Hierarchy(try handCluster(chiplets: 8, topology: "switch"))
        let group = GroupShape(stride: 1, size: 8, in: h)
        #expect(h.allReduceAlgorithm(bytes: 8e3, group: group) == .oneShot)
        #expect(abs(h.allReduceS(bytes: 8e3, group: group) - 2.56e-6) < 1e-12)
        #expect(h.allReduceAlgorithm(bytes: 64e6, group: group) == .ring)
        #expect(abs(h.allReduceS(bytes: 64e6, group: group) - 1.148e-3) < 1e-12)
        let ring = Hierarchy(try handCluster(chiplets: 8))
        #expect(ring.allReduceAlgorithm(bytes: 8e3, group: GroupShape(stride: 1, size: 8, in: ring)) == .tree)
    }

    /// TP 8 over 2 nodes of 4: reduce-scatter inside the node (4), across nodes (2) on 50 GB/s
    /// shared by the node's 4 chiplets, then all-gather back.
    @Test func hierarchicalAllReduceSharesTheOuterLink() throws {
        let spec = try handCluster(chiplets: 4, extraLevels: """
              - name: rack
                count: 2
                link: {topology: switch, bandwidthGBps: 50, latencyUs: 5}
            """)
        let h = Hierarchy(spec)
        let g = GroupShape(stride: 1, size: 8, in: h)
        #expect(g.factors == [4, 2])
        let inner = 3 * 2e-6 + 0.75 * 64e6 / 100e9
        let outer = 1 * 5e-6 + 0.5 * 16e6 / (50e9 / 4)
        #expect(abs(h.allReduceS(bytes: 64e6, group: g) - 2 * (inner + outer)) < 1e-12)
        // A pipeline send between the nodes: 5 µs + 1 MB over a quarter of 50 GB/s.
        #expect(abs(h.pointToPointS(bytes: 1e6, stride: 4) - (5e-6 + 1e6 / 12.5e9)) < 1e-15)
        #expect(h.crossingLevel(stride: 1) == 0)
        #expect(h.crossingLevel(stride: 4) == 1)
    }

    /// All-to-all of 8 MB per chiplet over 8 on a switch vs a ring of 8 (bisection f/4 = 2×).
    @Test func allToAllPaysForRingBisection() throws {
        let sw = Hierarchy(try handCluster(chiplets: 8, topology: "switch"))
        let ring = Hierarchy(try handCluster(chiplets: 8, topology: "ring"))
        let g = GroupShape(stride: 1, size: 8, in: sw)
        let switchS = 7 * 2e-6 + 8e6 * 7 / 8 / 100e9
        #expect(abs(sw.allToAllS(bytes: 8e6, group: g) - switchS) < 1e-12)
        #expect(abs(ring.allToAllS(bytes: 8e6, group: g) - (7 * 2e-6 + 2 * 8e6 * 7 / 8 / 100e9)) < 1e-12)
    }

    @Test func groupFactorsOnUnevenHierarchies() throws {
        // GB200 NVL72: 72 GPUs a rack, 16 racks.
        let h = Hierarchy(try ClusterSpec.load(path: Repo.cluster("gb200-nvl72")))
        #expect(h.factors(stride: 1, size: 8) == [8, 1])
        // 16 members 8 apart: the group at chiplet 128 has 2 members in rack 1, 9 in rack 2 and 5
        // in rack 3, so the worst group spans 3 racks (16 / 3 = 5 per rack on average).
        #expect(h.factors(stride: 8, size: 16) == [5, 3])
        #expect(h.factors(stride: 72, size: 16) == [1, 16])
    }

    /// TP 7 on DGX H100 nodes of 8 (4 nodes a rack): the group at chiplet 0 sits in one node,
    /// the one at 7 (chiplets 7–13) spans two nodes, and the one at 28 (chiplets 28–34) spans
    /// nodes 3 and 4, which are in different racks: TP 7 is priced as crossing the racks' network.
    @Test func groupsThatDoNotDivideANodeArePricedByTheLinksTheyCross() throws {
        let h = Hierarchy(try ClusterSpec.load(path: Repo.cluster("dgx-h100")))
        #expect(h.factors(stride: 1, size: 7) == [3, 1, 2])
        #expect(GroupShape(stride: 1, size: 7, in: h).outermostLevel == 2)
        #expect(h.factors(stride: 1, size: 8) == [8, 1, 1])  // aligned: every group is one node
    }
}
