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
        return [norm(prefix + "post_attention_layernorm", layer: layer, width: config.hiddenSize)]
            + mlp(prefix: prefix + "mlp.", layer: layer, kinds: .dense, width: config.intermediateSize, bias: config.mlpBias)
            + [residualAdd(prefix + "mlp.residual", layer: layer)]
    }

    /// Router (a hidden → experts matmul), top-k routed experts, then shared experts, which
    /// DeepSeek runs as one MLP of width `moe_intermediate_size × n_shared_experts`.
    func moeOps(layer: Int) -> [Op] {
        let prefix = "layers.\(layer)."
        let hidden = config.hiddenSize, experts = config.experts
        var ops = [norm(prefix + "post_attention_layernorm", layer: layer, width: hidden)]
        ops.append(matmul(prefix + "mlp.gate", .router, layer: layer, in: hidden, out: experts,
                          bias: config.routerBias, split: [.experts: experts, .hidden: hidden]))
        ops += mlp(prefix: prefix + "mlp.experts.", layer: layer, kinds: .routed, width: config.moeIntermediateSize,
                   bias: false, instances: experts, active: config.expertsPerToken)
        if config.sharedExperts > 0 {
            ops += mlp(prefix: prefix + "mlp.shared_experts.", layer: layer, kinds: .shared,
                       width: config.moeIntermediateSize * config.sharedExperts, bias: false)
        }
        ops.append(residualAdd(prefix + "mlp.residual", layer: layer))
        return ops
    }

    /// SwiGLU: gate, up, silu(gate)·up, down (Shazeer 2020). GELU: up, gelu, down.
    private func mlp(prefix: String, layer: Int, kinds: MLPKinds, width: Int, bias: Bool,
                     instances: Int = 1, active: Int = 1) -> [Op] {
        let hidden = config.hiddenSize
        var split: [SplitDimension: Int] = [.ffn: width, .hidden: hidden]
        if instances > 1 { split[.experts] = instances }
        var ops: [Op] = []
        if config.activation == .swiglu {
            ops.append(matmul(prefix + "gate_proj", kinds.gate, layer: layer, in: hidden, out: width, bias: bias,
                              instances: instances, active: active, split: split))
        }
        ops.append(matmul(prefix + "up_proj", kinds.up, layer: layer, in: hidden, out: width, bias: bias,
                          instances: instances, active: active, split: split))
        let perElement = config.activation == .swiglu ? ElementwiseFLOPs.swiglu : ElementwiseFLOPs.gelu
        var activationSplit: [SplitDimension: Int] = [.ffn: width]
        if instances > 1 { activationSplit[.experts] = instances }
        ops.append(elementwise(prefix + "act", kinds.activation, layer: layer, width: width, flopsPerElement: perElement,
                               instances: instances, active: active, split: activationSplit))
        ops.append(matmul(prefix + "down_proj", kinds.down, layer: layer, in: width, out: hidden, bias: bias,
                          instances: instances, active: active, split: split))
        return ops
    }
}
