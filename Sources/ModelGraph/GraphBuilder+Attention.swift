/// Attention block: norm, projections (MHA/GQA/MQA or MLA), rotary, the three attention ops,
/// output projection and residual add. Names follow HF module paths (`self_attn` shortened to `attn`).
extension GraphBuilder {
    func attentionOps(layer: Int) -> [Op] {
        let prefix = "layers.\(layer)."
        let heads = config.attentionHeads
        // Post-norm (OLMo 2) has no norm before attention; the others have one.
        var ops = config.normPlacement == .post ? [] : [norm(prefix + "input_layernorm", layer: layer, width: config.hiddenSize)]
        let scoreDim: (decode: Int, prefill: Int)
        let valueDim: (decode: Int, prefill: Int)
        if let mla = config.mla {
            ops += mlaProjections(prefix: prefix + "attn.", layer: layer, mla: mla)
            // Decode attends in the cached latent with W_UK/W_UV absorbed; prefill decompresses
            // K/V and attends per head (DeepSeek-V2, §2.1.2–2.1.3).
            scoreDim = (mla.kvLoraRank + mla.qkRopeHeadDim, mla.qkNopeHeadDim + mla.qkRopeHeadDim)
            valueDim = (mla.kvLoraRank, mla.vHeadDim)
        } else {
            ops += gqaProjections(prefix: prefix + "attn.", layer: layer)
            scoreDim = (config.headDim, config.headDim)
            valueDim = (config.headDim, config.headDim)
        }
        ops += attentionCore(prefix: prefix + "attn.", layer: layer, scoreDim: scoreDim, valueDim: valueDim)
        ops.append(matmul(prefix + "attn.o_proj", .outputProjection, layer: layer,
                          in: heads * valueDim.prefill, out: config.hiddenSize, bias: config.outputBias,
                          split: [.heads: heads, .hidden: config.hiddenSize]))
        if config.normPlacement != .pre {
            ops.append(norm(prefix + "post_attention_layernorm", layer: layer, width: config.hiddenSize))
        }
        // Parallel blocks add attention and MLP to the residual once, after the MLP.
        if !config.parallelBlock { ops.append(residualAdd(prefix + "attn.residual", layer: layer)) }
        return ops
    }

    /// q, k and v projections; k and v have `kvHeads` heads (GQA, Ainslie et al. 2023; MQA at 1).
    private func gqaProjections(prefix: String, layer: Int) -> [Op] {
        let hidden = config.hiddenSize, heads = config.attentionHeads, kvHeads = config.kvHeads
        let kvWidth = kvHeads * config.headDim
        var ops = [
            matmul(prefix + "q_proj", .qProjection, layer: layer, in: hidden, out: heads * config.headDim,
                   bias: config.qkvBias, split: [.heads: heads, .hidden: hidden]),
            matmul(prefix + "k_proj", .kProjection, layer: layer, in: hidden, out: kvWidth,
                   bias: config.qkvBias, split: [.heads: kvHeads, .hidden: hidden], cached: kvWidth),
            matmul(prefix + "v_proj", .vProjection, layer: layer, in: hidden, out: kvWidth,
                   bias: config.qkvBias, split: [.heads: kvHeads, .hidden: hidden], cached: kvWidth),
        ]
        if config.qkNorm {
            ops.append(headNorm(prefix + "q_norm", layer: layer, heads: heads))
            ops.append(headNorm(prefix + "k_norm", layer: layer, heads: kvHeads))
        }
        if config.positions == .rotary {
            ops.append(elementwise(prefix + "rotary", .rotary, layer: layer, width: (heads + kvHeads) * config.headDim,
                                   flopsPerElement: ElementwiseFLOPs.rotary, split: [.heads: heads]))
        }
        return ops
    }

    /// RMSNorm of each of `heads` heads with one shared weight of `head_dim` (Qwen3 QK-norm), or
    /// one weight over all of them (OLMo 2).
    private func headNorm(_ name: String, layer: Int, heads: Int) -> Op {
        let width = heads * config.headDim
        return Op(name: name, kind: .norm, layer: layer, inFeatures: width, outFeatures: width,
                  parameters: config.qkNormFullWidth ? width : config.headDim, splitExtents: [.heads: heads],
                  flopsPerToken: ElementwiseFLOPs.rmsNorm * Double(width), outputElementsPerToken: width)
    }

    /// MLA: q through an optional low-rank bottleneck; k/v from a cached latent plus one shared rope key.
    private func mlaProjections(prefix: String, layer: Int, mla: MLAConfig) -> [Op] {
        let hidden = config.hiddenSize, heads = config.attentionHeads
        let qWidth = heads * (mla.qkNopeHeadDim + mla.qkRopeHeadDim)
        var ops: [Op] = []
        if let rank = mla.qLoraRank {
            ops.append(matmul(prefix + "q_a_proj", .qDown, layer: layer, in: hidden, out: rank,
                              bias: config.qkvBias, split: [.hidden: hidden]))
            ops.append(norm(prefix + "q_a_layernorm", layer: layer, width: rank, forceRMS: true))
            ops.append(matmul(prefix + "q_b_proj", .qUp, layer: layer, in: rank, out: qWidth, split: [.heads: heads]))
        } else {
            ops.append(matmul(prefix + "q_proj", .qProjection, layer: layer, in: hidden, out: qWidth,
                              split: [.heads: heads, .hidden: hidden]))
        }
        let latent = mla.kvLoraRank + mla.qkRopeHeadDim
        ops.append(matmul(prefix + "kv_a_proj_with_mqa", .kvDown, layer: layer, in: hidden, out: latent,
                          bias: config.qkvBias, split: [.hidden: hidden], cached: latent))
        ops.append(norm(prefix + "kv_a_layernorm", layer: layer, width: mla.kvLoraRank, forceRMS: true))
        ops.append(matmul(prefix + "kv_b_proj", .kvUp, layer: layer, in: mla.kvLoraRank,
                          out: heads * (mla.qkNopeHeadDim + mla.vHeadDim), split: [.heads: heads]))
        ops.append(elementwise(prefix + "rotary", .rotary, layer: layer, width: (heads + 1) * mla.qkRopeHeadDim,
                               flopsPerElement: ElementwiseFLOPs.rotary, split: [.heads: heads]))
        return ops
    }

    /// Scores (Q·Kᵀ), softmax and context (P·V), per new token per attended position. Fused as in
    /// FlashAttention (Dao et al. 2022): scores and probabilities never reach memory.
    private func attentionCore(prefix: String, layer: Int, scoreDim: (decode: Int, prefill: Int),
                               valueDim: (decode: Int, prefill: Int)) -> [Op] {
        let heads = config.attentionHeads
        let split: [SplitDimension: Int] = [.heads: heads]
        let window = config.attentionWindow(layer: layer)
        return [
            Op(name: prefix + "score", kind: .attentionScore, layer: layer, inFeatures: scoreDim.decode, outFeatures: heads,
               splitExtents: split, flopsPerToken: 0, decodeFLOPsPerPosition: 2 * Double(scoreDim.decode * heads),
               prefillFLOPsPerPosition: 2 * Double(scoreDim.prefill * heads), outputElementsPerToken: 0, attentionWindow: window),
            // gpt-oss sinks: one learned logit per head joins the softmax.
            Op(name: prefix + "softmax", kind: .attentionSoftmax, layer: layer, inFeatures: 1, outFeatures: heads,
               parameters: config.attentionSinks ? heads : 0, splitExtents: split, flopsPerToken: 0,
               decodeFLOPsPerPosition: ElementwiseFLOPs.softmax * Double(heads), outputElementsPerToken: 0, attentionWindow: window),
            Op(name: prefix + "context", kind: .attentionContext, layer: layer, inFeatures: valueDim.decode, outFeatures: heads,
               splitExtents: split, flopsPerToken: 0, decodeFLOPsPerPosition: 2 * Double(valueDim.decode * heads),
               prefillFLOPsPerPosition: 2 * Double(valueDim.prefill * heads), outputElementsPerToken: heads * valueDim.decode,
               attentionWindow: window),
        ]
    }
}
