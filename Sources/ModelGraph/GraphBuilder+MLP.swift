/// Feed-forward block: norm, then a dense MLP or an MoE (router, routed experts, shared experts),
/// then the residual add.
extension GraphBuilder {
    /// The op kinds of one MLP family (dense, routed experts, shared experts).
    private struct MLPKinds {
        let gate, up, activation, down: OpKind
        static let dense = MLPKinds(gate: .mlpGate, up: .mlpUp, activation: .mlpActivation, down: .mlpDown)
        static let routed = MLPKinds(gate: .expertGate, up: .expertUp, activation: .expertActivation, down: .expertDown)
        static let shared = MLPKinds(gate: .sharedExpertGate, up: .sharedExpertUp,
                                     activation: .sharedExpertActivation, down: .sharedExpertDown)
    }

    func denseMLPOps(layer: Int) -> [Op] {
        let prefix = "layers.\(layer)."
        return preMLPNorms(prefix: prefix, layer: layer)
            + mlp(prefix: prefix + "mlp.", layer: layer, kinds: .dense, width: config.intermediateSize, bias: config.mlpBias)
            + postMLPOps(prefix: prefix, layer: layer)
    }

    /// The norm before the MLP: `post_attention_layernorm` in HF's pre-norm naming, Gemma's
    /// `pre_feedforward_layernorm`; none for post-norm or a parallel block on one shared norm.
    private func preMLPNorms(prefix: String, layer: Int) -> [Op] {
        if config.normPlacement == .post || config.sharedBlockNorm { return [] }
        let name = config.normPlacement == .sandwich ? "pre_feedforward_layernorm" : "post_attention_layernorm"
        return [norm(prefix + name, layer: layer, width: config.hiddenSize)]
    }

    private func postMLPOps(prefix: String, layer: Int) -> [Op] {
        let post = config.normPlacement == .pre ? [] : [norm(prefix + "post_feedforward_layernorm", layer: layer, width: config.hiddenSize)]
        return post + [residualAdd(prefix + "mlp.residual", layer: layer)]
    }

    /// Router (a hidden → experts matmul), top-k routed experts, then shared experts, which
    /// DeepSeek runs as one MLP of width `moe_intermediate_size × n_shared_experts`.
    func moeOps(layer: Int) -> [Op] {
        let prefix = "layers.\(layer)."
        let hidden = config.hiddenSize, experts = config.experts
        var ops = preMLPNorms(prefix: prefix, layer: layer)
        ops.append(matmul(prefix + "mlp.gate", .router, layer: layer, in: hidden, out: experts,
                          bias: config.routerBias, split: [.experts: experts, .hidden: hidden]))
        ops += mlp(prefix: prefix + "mlp.experts.", layer: layer, kinds: .routed, width: config.moeIntermediateSize,
                   bias: config.expertBias, instances: experts, active: config.expertsPerToken)
        if config.sharedExperts > 0 {
            let width = config.sharedExpertIntermediateSize > 0
                ? config.sharedExpertIntermediateSize : config.moeIntermediateSize * config.sharedExperts
            ops += mlp(prefix: prefix + "mlp.shared_experts.", layer: layer, kinds: .shared, width: width, bias: false)
            if config.sharedExpertGate {
                // Qwen2-MoE: sigmoid(hidden → 1) scales the shared expert's output.
                ops.append(matmul(prefix + "mlp.shared_expert_gate", .router, layer: layer, in: hidden, out: 1,
                                  split: [.hidden: hidden]))
            }
        }
        return ops + postMLPOps(prefix: prefix, layer: layer)
    }

    /// SwiGLU/GeGLU: gate, up, act(gate)·up, down (Shazeer 2020). GELU: up, gelu, down.
    private func mlp(prefix: String, layer: Int, kinds: MLPKinds, width: Int, bias: Bool,
                     instances: Int = 1, active: Int = 1) -> [Op] {
        let hidden = config.hiddenSize
        var split: [SplitDimension: Int] = [.ffn: width, .hidden: hidden]
        if instances > 1 { split[.experts] = instances }
        var ops: [Op] = []
        if config.activation.isGated {
            ops.append(matmul(prefix + "gate_proj", kinds.gate, layer: layer, in: hidden, out: width, bias: bias,
                              instances: instances, active: active, split: split))
        }
        ops.append(matmul(prefix + "up_proj", kinds.up, layer: layer, in: hidden, out: width, bias: bias,
                          instances: instances, active: active, split: split))
        let perElement = switch config.activation {
        case .swiglu: ElementwiseFLOPs.swiglu
        case .gelu: ElementwiseFLOPs.gelu
        case .geglu: ElementwiseFLOPs.gelu + 1
        }
        var activationSplit: [SplitDimension: Int] = [.ffn: width]
        if instances > 1 { activationSplit[.experts] = instances }
        ops.append(elementwise(prefix + "act", kinds.activation, layer: layer, width: width, flopsPerElement: perElement,
                               instances: instances, active: active, split: activationSplit))
        ops.append(matmul(prefix + "down_proj", kinds.down, layer: layer, in: width, out: hidden, bias: bias,
                          instances: instances, active: active, split: split))
        return ops
    }
}
