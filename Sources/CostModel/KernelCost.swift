import Foundation
import ModelGraph

/// Time of kernels on one chiplet: measured tables where the chip has them (interpolated), the
/// analytical model elsewhere, both divided by the software's kernel efficiency, plus the chip's
/// fixed cost per kernel and the software's launch cost.
extension ChipletRates {
    /// GEMM of M × N × K whose weights (`weightBytes`) stream from tier `tiers.weights`.
    /// `padded: false` prices the ideal array that runs any shape whole (what a graph costs
    /// before the compiler's padding pass; tables measure real, padded kernels either way).
    public func gemmS(m: Double, n: Double, k: Double, weightBytes: Double, activationBytes: Double,
                      tiers: TierChoice, padded: Bool = true) -> Double {
        guard m > 0 else { return 0 }
        if let t = kernels?.gemmS(m: m, n: n, k: k, dtype: computeDType.tabled) {
            // Tables were measured with weights in HBM; a slower weight tier still bounds them.
            return max(t, weightBytes / bytesPerS(tier: tiers.weights)) / software.kernelEfficiency
        }
        let memory = weightBytes / bytesPerS(tier: tiers.weights) + activationBytes / bytesPerS(tier: tiers.activations)
        return max(gemmComputeS(m: m, n: n, k: k, rate: matmulFLOPSPerS, padded: padded), memory) / software.kernelEfficiency
    }

    /// Compute time of a GEMM with wave quantisation: output tiles (128 × 128, or 16…128 rows for
    /// small M) spread over the compute units in whole waves, so a partial last wave costs a full
    /// one (NVIDIA, "Matrix Multiplication Background User's Guide", 2023).
    @inline(__always)
    func gemmComputeS(m: Double, n: Double, k: Double, rate: Double, padded: Bool = true) -> Double {
        guard padded, let units = computeUnits else { return 2 * m * n * k / rate }
        let tileM = m >= 128 ? 128.0 : max(16, pow(2, (log2(max(m, 1))).rounded(.up)))
        let tiles = (m / tileM).rounded(.up) * (n / 128).rounded(.up)
        let waves = (tiles / Double(units)).rounded(.up)
        return waves * Double(units) * 2 * tileM * 128 * k / rate
    }

    /// Time to read `bytes` of K/V cache: the share in the inner tier and the overflow in the
    /// next stream concurrently, so the slower of the two sets the time.
    @inline(__always)
    func kvReadS(bytes: Double, tiers: TierChoice) -> Double {
        let inner = tiers.kvInnerShare
        guard inner < 1 else { return bytes / bytesPerS(tier: tiers.kvCache) }
        return max(bytes * inner / bytesPerS(tier: tiers.kvCache), bytes * (1 - inner) / bytesPerS(tier: tiers.kvCache + 1))
    }

    /// Sustained bytes/s of tier `i`.
    @inline(__always)
    func bytesPerS(tier i: Int) -> Double { tiers[min(i, tiers.count - 1)].bytesPerS }

    /// Fixed cost of one kernel group: the chip's own, plus the launch under this software, where
    /// `prefillShare` of iterations carry a prompt chunk (`Work.prefillShare`).
    @inline(__always)
    public func kernelOverheadS(prefillShare: Double) -> Double {
        opOverheadS + software.launchUs(prefillShare: prefillShare) * 1e-6
    }
}

extension KernelGroup {
    /// Time, FLOPs and bytes of this group for a replica-level microbatch `work` spread over
    /// `ep` ranks (attention data parallelism).
    public func cost(_ work: Work, ep: Int, rates r: ChipletRates, tiers: TierChoice) -> OpCost {
        var c = OpCost()
        let local = ep > 1 ? work.attentionDPShare(ep, chunkTokens: Double(r.software.maxNumTokens ?? Int.max)) : work
        let prefill = work.prefillShare
        switch kind {
        case .gemm, .lmHead:
            let m = kind == .lmHead ? local.logitRows : local.tokens
            guard m > 0 else { return c }
            let act = m * (inputBytesPerToken + activationBytesPerToken)
            c.flops = m * (matmulFLOPsPerToken + vectorFLOPsPerToken)
            c.bytes = weightBytes + act
            c.seconds = r.gemmS(m: m, n: n, k: k, weightBytes: weightBytes, activationBytes: act, tiers: tiers,
                                padded: unpadded != true)
                + m * vectorFLOPsPerToken / r.vectorFLOPSPerS
        case .expertGEMM:
            // Tokens route evenly over experts; a step reads only the experts some token picked,
            // E·(1 − (1 − k/E)^T) of them in expectation. One grouped GEMM runs them all: its
            // compute goes as one GEMM of all routed rows, its weight traffic as the experts hit.
            let rows = work.tokens * Double(topK * expertsHere) / Double(experts)
            guard rows > 0 else { return c }
            let hit = 1 - pow(1 - Double(topK) / Double(experts), work.tokens)
            let weights = weightBytes * hit
            let act = rows * (inputBytesPerToken + activationBytesPerToken)
            c.flops = rows * (matmulFLOPsPerToken + vectorFLOPsPerToken)
            c.bytes = weights + act
            // A measured fused-MoE layer, where the chip has one for this shape: it holds the
            // routing, permutes, load imbalance and both grouped GEMMs; this group takes its
            // share of the layer's expert FLOPs (gate and up 2 of 3 parts, down 1).
            if let shape = moe, let layer = r.kernels?.moeS(
                tokens: work.tokens, hidden: shape.hidden, inter: shape.inter, topK: topK, experts: experts,
                tp: shape.tp, ep: experts / expertsHere, dtype: r.computeDType.tabled) {
                let share = n * k / (3 * Double(shape.hidden) * Double(shape.inter) / Double(shape.tp))
                c.seconds = layer * share / r.software.kernelEfficiency
                break
            }
            // One grouped GEMM runs every hit expert: each expert's rows are their own problem
            // (padded to tiles as such), their weights stream in one kernel with one launch.
            let active = max(Double(expertsHere) * hit, 1e-9), perExpert = rows / active
            let compute = r.kernels?.groupedGEMMS(m: perExpert, n: n, k: k, groups: active, dtype: r.computeDType.tabled)
                ?? active * r.gemmComputeS(m: perExpert, n: n, k: k, rate: r.matmulFLOPSPerS, padded: unpadded != true)
            let memory = weights / r.bytesPerS(tier: tiers.weights) + act / r.bytesPerS(tier: tiers.activations)
            // Tokens go to their experts' order and back (MoE permute / finalize kernels): each
            // routed row's hidden vector is written and read once more, in 16 bits (assumed, as
            // TensorRT-LLM's and vLLM's MoE kernels permute BF16 activations), as one more kernel.
            let permuteS = rows * permuteWidth * 2 * 2 / r.bytesPerS(tier: tiers.activations)
            c.seconds = max(compute, memory) / r.software.kernelEfficiency + rows * vectorFLOPsPerToken / r.vectorFLOPSPerS
                + permuteS + r.kernelOverheadS(prefillShare: prefill)
        case .attention:
            c = attentionCost(local, rates: r, tiers: tiers)
        case .vector:
            guard local.tokens > 0 else { return c }
            c.flops = local.tokens * vectorFLOPsPerToken
            c.bytes = weightBytes + local.tokens * (inputBytesPerToken + activationBytesPerToken)
            c.seconds = r.rooflineS(flops: c.flops, matmul: false, bytes: c.bytes, tier: tiers.activations) / r.software.kernelEfficiency
        }
        if c.seconds > 0 { c.seconds += r.kernelOverheadS(prefillShare: prefill) }
        return c
    }

    /// FlashAttention-style attention (Dao et al. 2022): decode and prefill as separate kernels,
    /// each from the chip's tables where they cover the shape, else the roofline of the products
    /// in the activations' dtype against the K/V traffic.
    func attentionCost(_ work: Work, rates r: ChipletRates, tiers: TierChoice) -> OpCost {
        var c = OpCost()
        let w = windowed(work)
        let kvDType = r.precision.kvCache
        let decodeSeqs = w.decodeTokens
        if decodeSeqs > 0 {
            let flops = w.decodeAttended * decodeFLOPsPerPosition
            // A kernel without GQA sharing reads K/V once per query head: a multi-head kernel.
            let readKVHeads = r.software.groupedQueryDecode ? kvHeads : max(heads, kvHeads)
            let bytes = w.decodeAttended * kvBytesPerPosition * Double(readKVHeads) / Double(max(kvHeads, 1))
                + decodeSeqs * activationBytesPerToken * 2
            let vector = w.decodeAttended * vectorFLOPsPerPosition + decodeSeqs * vectorFLOPsPerToken
            // Fewer than one sequence (a share of a microbatch) is that share of one sequence's work.
            let tabled = tabled ? r.kernels?.generationAttentionS(
                batch: max(decodeSeqs, 1), context: w.decodeAttended / decodeSeqs, heads: heads, kvHeads: readKVHeads,
                headSize: headDim, kvDType: kvDType.tabled).map { $0 * min(decodeSeqs, 1) } : nil
            c.seconds += (tabled ?? max(flops / r.attentionFLOPSPerS + vector / r.vectorFLOPSPerS,
                                        r.kvReadS(bytes: bytes, tiers: tiers))) / r.software.kernelEfficiency
            c.flops += flops + vector
            c.bytes += bytes
        }
        if w.prefillTokens > 0, w.prefillSequences > 0 {
            let flops = w.prefillAttended * prefillFLOPsPerPosition
            let bytes = w.prefillTokens * (kvBytesPerPosition + activationBytesPerToken * 2)
            let vector = w.prefillAttended * vectorFLOPsPerPosition + w.prefillTokens * vectorFLOPsPerToken
            let length = w.prefillTokens / w.prefillSequences
            // Tables hold whole causal prompts; chunks attend more per token, so scale by the
            // positions actually attended.
            // A chunk of one prompt (fewer than one sequence) is priced as its share of the prompt.
            let tabled = tabled ? r.kernels?.contextAttentionS(
                batch: max(w.prefillSequences, 1), inputLength: length, heads: heads, kvHeads: kvHeads, headSize: headDim,
                dtype: r.attentionDType.tabled, kvDType: kvDType.tabled).map {
                    $0 * w.prefillAttended / (max(w.prefillSequences, 1) * length * (length + 1) / 2)
                } : nil
            // Prefill next to decode is a second kernel, in the share of iterations that carry one.
            if decodeSeqs > 0 { c.seconds += r.kernelOverheadS(prefillShare: 1) * min(w.prefillShare, 1) }
            c.seconds += (tabled ?? max(flops / r.attentionFLOPSPerS + vector / r.vectorFLOPSPerS,
                                        r.kvReadS(bytes: bytes, tiers: tiers))) / r.software.kernelEfficiency
            c.flops += flops + vector
            c.bytes += bytes
        }
        return c
    }
}

extension KernelGroup {
    /// The work as a windowed layer sees it: a decode token attends at most `window` positions,
    /// and a prompt of L > W tokens attends W(W + 1)/2 + (L − W)·W positions, not L(L + 1)/2.
    func windowed(_ w: Work) -> Work {
        guard let window else { return w }
        var out = w
        let decodeSeqs = w.decodeTokens
        if decodeSeqs > 0 { out.decodeAttended = min(w.decodeAttended, decodeSeqs * window) }
        if w.prefillSequences > 0 {
            let l = w.prefillTokens / w.prefillSequences
            if l > window {
                out.prefillAttended = w.prefillAttended * (window * (window + 1) / 2 + (l - window) * window) / (l * (l + 1) / 2)
            }
        }
        return out
    }
}

extension DType {
    /// The dtype a measured table lists this one under: FP16 runs at BF16's speed on the
    /// tabled GPUs (same tensor-core rate, hardware.md), and the tables list only BF16.
    var tabled: DType { self == .fp16 ? .bf16 : self }
}
