/// Per-layer sums over a run of ops, precomputed so the planner's search reads them in O(1).
public struct LayerSummary: Sendable {
    /// The layer index; nil for the ops outside the layers (embedding, or final norm + LM head).
    public let layer: Int?
    public let isMoE: Bool
    public let parameters: Int
    public let activeParameters: Int
    /// FLOPs per new token that do not depend on context.
    public let flopsPerToken: Double
    /// Attention FLOPs per new token per attended position, in decode and in prefill
    /// (they differ only for MLA).
    public let decodeAttentionFLOPsPerPosition: Double
    public let prefillAttentionFLOPsPerPosition: Double
    public let kvCacheElementsPerToken: Int
    /// Output activation elements per token written to memory by all the ops.
    public let activationElementsPerToken: Int

    init(layer: Int?, isMoE: Bool, ops: ArraySlice<Op>) {
        self.layer = layer
        self.isMoE = isMoE
        parameters = ops.reduce(0) { $0 + $1.parameters }
        activeParameters = ops.reduce(0) { $0 + $1.activeParameters }
        flopsPerToken = ops.reduce(0) { $0 + $1.flopsPerToken }
        decodeAttentionFLOPsPerPosition = ops.reduce(0) { $0 + $1.flopsPerContextPosition(.decode) }
        prefillAttentionFLOPsPerPosition = ops.reduce(0) { $0 + $1.flopsPerContextPosition(.prefill) }
        kvCacheElementsPerToken = ops.reduce(0) { $0 + $1.cachedElementsPerToken }
        activationElementsPerToken = ops.reduce(0) { $0 + $1.outputElementsPerToken }
    }

    public func weightBytes(_ p: Precision) -> Double { Double(parameters) * p.weights.bytesPerElement }

    public func kvCacheBytesPerToken(_ dtype: DType) -> Double { Double(kvCacheElementsPerToken) * dtype.bytesPerElement }

    /// One decode step of `tokens` sequences (one new token each) at context `context`.
    public func decodeFLOPs(tokens: Int = 1, context: Int) -> Double {
        Double(tokens) * (flopsPerToken + Double(context) * decodeAttentionFLOPsPerPosition)
    }

    /// Causal prefill of `tokens` new tokens after `priorContext` cached ones: token i (1-based)
    /// attends over `priorContext + i` positions, so Σ = N·prior + N(N+1)/2.
    public func prefillFLOPs(tokens: Int, priorContext: Int = 0) -> Double {
        let n = Double(tokens)
        let positions = n * Double(priorContext) + n * (n + 1) / 2
        return n * flopsPerToken + positions * prefillAttentionFLOPsPerPosition
    }
}
