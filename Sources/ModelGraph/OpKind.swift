/// The dimensions along which an op's work and weights can be divided between devices.
public enum SplitDimension: String, Codable, Sendable, CaseIterable {
    case heads, hidden, ffn, experts, vocab, sequence
}

/// What an op computes. MLA (DeepSeek-V2/V3) adds the low-rank `qDown`/`qUp`/`kvDown`/`kvUp`;
/// routed experts are `expert*`, always-on shared experts `sharedExpert*`.
public enum OpKind: String, Codable, Sendable, CaseIterable {
    case embedding, positionEmbedding
    case norm
    case qProjection, kProjection, vProjection
    case qDown, qUp, kvDown, kvUp
    case rotary
    case attentionScore, attentionSoftmax, attentionContext
    case outputProjection
    case residualAdd
    case mlpGate, mlpUp, mlpActivation, mlpDown
    case router
    case expertGate, expertUp, expertActivation, expertDown
    case sharedExpertGate, sharedExpertUp, sharedExpertActivation, sharedExpertDown
    case finalNorm, lmHead

    /// True for ops that are matrix products (weights × activations, or the two attention products).
    public var isMatmul: Bool {
        switch self {
        case .qProjection, .kProjection, .vProjection, .qDown, .qUp, .kvDown, .kvUp,
             .attentionScore, .attentionContext, .outputProjection,
             .mlpGate, .mlpUp, .mlpDown, .router,
             .expertGate, .expertUp, .expertDown,
             .sharedExpertGate, .sharedExpertUp, .sharedExpertDown, .lmHead:
            true
        case .embedding, .positionEmbedding, .norm, .rotary, .attentionSoftmax, .residualAdd,
             .mlpActivation, .expertActivation, .sharedExpertActivation, .finalNorm:
            false
        }
    }

    /// Weights of the MLP or its experts (dense, routed or shared; the router is not): the layer
    /// class `Precision.mlpWeights` covers.
    public var isMLPWeight: Bool {
        switch self {
        case .mlpGate, .mlpUp, .mlpDown, .expertGate, .expertUp, .expertDown,
             .sharedExpertGate, .sharedExpertUp, .sharedExpertDown:
            true
        default:
            false
        }
    }

    /// True for the attention ops whose work grows with context length.
    public var isAttention: Bool {
        self == .attentionScore || self == .attentionSoftmax || self == .attentionContext
    }
}

/// The two phases of inference; they differ only for MLA attention, which decompresses K/V
/// in prefill but attends in the compressed latent in decode (DeepSeek-V2, §2.1.3).
public enum InferencePhase: String, Codable, Sendable {
    case prefill, decode
}
