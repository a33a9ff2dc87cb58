/// Per-layer sums over a run of ops, precomputed so the planner's search reads them in O(1).
public struct LayerSummary: Sendable {
    /// The layer index; nil for the ops outside the layers (embedding, or final norm + LM head).
    public let layer: Int?
    public let isMoE: Bool
    public let parameters: Int
    public let activeParameters: Int
    /// Parameters of the MLP or experts (priced in `Precision.mlpWeights` when set).
    public let mlpParameters: Int
    /// FLOPs per new token that do not depend on context.
    public let flopsPerToken: Double
    /// Attention FLOPs per new token per attended position, in decode and in prefill
    /// (they differ only for MLA).
    public let decodeAttentionFLOPsPerPosition: Double
    public let prefillAttentionFLOPsPerPosition: Double
    public let kvCacheElementsPerToken: Int
    /// Positions this layer attends to and caches at most (sliding or chunked); nil: all.
    public let attentionWindow: Int?
    /// Output activation elements per token written to memory by all the ops.
    public let activationElementsPerToken: Int

    init(layer: Int?, isMoE: Bool, ops: ArraySlice<Op>) {
        self.layer = layer
        self.isMoE = isMoE
        parameters = ops.reduce(0) { $0 + $1.parameters }
        activeParameters = ops.reduce(0) { $0 + $1.activeParameters }
        mlpParameters = ops.reduce(0) { $0 + ($1.kind.isMLPWeight ? $1.parameters : 0) }
        flopsPerToken = ops.reduce(0) { $0 + $1.flopsPerToken }
        decodeAttentionFLOPsPerPosition = ops.reduce(0) { $0 + $1.flopsPerContextPosition(.decode) }
        prefillAttentionFLOPsPerPosition = ops.reduce(0) { $0 + $1.flopsPerContextPosition(.prefill) }
        kvCacheElementsPerToken = ops.reduce(0) { $0 + $1.cachedElementsPerToken }
        attentionWindow = ops.lazy.compactMap(\.attentionWindow).first
        activationElementsPerToken = ops.reduce(0) { $0 + $1.outputElementsPerToken }
    }

    public func weightBytes(_ p: Precision) -> Double {
        Double(parameters - mlpParameters) * p.weights.bytesPerElement
            + Double(mlpParameters) * (p.mlpWeights ?? p.weights).bytesPerElement
    }

    public func kvCacheBytesPerToken(_ dtype: DType) -> Double { Double(kvCacheElementsPerToken) * dtype.bytesPerElement }

    /// KV-cache bytes of one sequence at `context`: a windowed layer keeps the last `window` positions.
    public func kvCacheBytes(context: Int, _ dtype: DType) -> Double {
        Double(AttentionWindow.cap(context, attentionWindow)) * kvCacheBytesPerToken(dtype)
    }

    /// One decode step of `tokens` sequences (one new token each) at context `context`.
    public func decodeFLOPs(tokens: Int = 1, context: Int) -> Double {
        Double(tokens) * (flopsPerToken + Double(AttentionWindow.cap(context, attentionWindow)) * decodeAttentionFLOPsPerPosition)
    }

    /// Causal prefill of `tokens` new tokens after `priorContext` cached ones: token i (1-based)
    /// attends over `priorContext + i` positions (Σ = N·prior + N(N+1)/2), each capped by the window.
    public func prefillFLOPs(tokens: Int, priorContext: Int = 0) -> Double {
        let positions = AttentionWindow.prefillPositions(tokens: tokens, prior: priorContext, window: attentionWindow)
        return Double(tokens) * flopsPerToken + positions * prefillAttentionFLOPsPerPosition
    }
}
