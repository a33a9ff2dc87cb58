/// One operator of the graph, with everything the cost model needs precomputed per token.
///
/// Features are per token: for a matmul `inFeatures` is K and `outFeatures` is N of one instance.
/// For `attentionScore` and `attentionContext`, `inFeatures` is the per-head dot-product length
/// (qk head dim for scores, v head dim for context; MLA decode: the latent width) and
/// `outFeatures` is the number of query heads; `attentionSoftmax` has `inFeatures` 1.
public struct Op: Sendable {
    /// HF-style path, e.g. `layers.3.attn.q_proj`.
    public let name: String
    public let kind: OpKind
    /// nil for the embedding, the final norm and the LM head.
    public let layer: Int?
    public let inFeatures: Int
    public let outFeatures: Int
    /// Weight and bias elements over all instances.
    public let parameters: Int
    /// 1, or the number of routed experts for routed-expert ops.
    public let instances: Int
    /// Instances one token uses: top-k for routed experts, 1 otherwise.
    public let activePerToken: Int
    public let splittable: Set<SplitDimension>
    /// How many units there are along each fixed splittable dimension (e.g. heads: 8 for a
    /// GQA k_proj); sequence has no fixed extent and is absent.
    public let splitExtents: [SplitDimension: Int]
    /// FLOPs per new token that do not depend on context (2·K·N·active for matmuls).
    public let flopsPerToken: Double
    /// Elements written to the KV cache per token (k/v projections; MLA: latent + rope key).
    public let cachedElementsPerToken: Int
    /// Output elements per token that reach memory; fused attention scores count 0.
    public let outputElementsPerToken: Int

    /// Positions an attention op attends to at most (sliding or chunked layers); nil: all of them.
    public let attentionWindow: Int?

    let decodeFLOPsPerPosition: Double
    let prefillFLOPsPerPosition: Double

    init(name: String, kind: OpKind, layer: Int?, inFeatures: Int, outFeatures: Int,
         parameters: Int = 0, instances: Int = 1, activePerToken: Int = 1,
         splitExtents: [SplitDimension: Int], sequenceSplit: Bool = true,
         flopsPerToken: Double, decodeFLOPsPerPosition: Double = 0, prefillFLOPsPerPosition: Double? = nil,
         cachedElementsPerToken: Int = 0, outputElementsPerToken: Int, attentionWindow: Int? = nil) {
        self.name = name
        self.kind = kind
        self.layer = layer
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.parameters = parameters
        self.instances = instances
        self.activePerToken = activePerToken
        self.splitExtents = splitExtents
        self.splittable = Set(splitExtents.keys).union(sequenceSplit ? [.sequence] : [])
        self.flopsPerToken = flopsPerToken
        self.decodeFLOPsPerPosition = decodeFLOPsPerPosition
        self.prefillFLOPsPerPosition = prefillFLOPsPerPosition ?? decodeFLOPsPerPosition
        self.cachedElementsPerToken = cachedElementsPerToken
        self.outputElementsPerToken = outputElementsPerToken
        self.attentionWindow = attentionWindow
    }

    /// Positions attended by a token at `context`: the context, capped by the window.
    public func attendedPositions(context: Int) -> Int { AttentionWindow.cap(context, attentionWindow) }

    /// FLOPs per new token per attended context position (attention ops only, else 0).
    public func flopsPerContextPosition(_ phase: InferencePhase = .decode) -> Double {
        phase == .decode ? decodeFLOPsPerPosition : prefillFLOPsPerPosition
    }

    /// FLOPs for `tokens` new tokens each attending over `context` positions:
    /// 2·M·N·K for matmuls; attention adds a term linear in the attended positions.
    public func flops(tokens: Int, context: Int, phase: InferencePhase = .decode) -> Double {
        Double(tokens) * (flopsPerToken + Double(attendedPositions(context: context)) * flopsPerContextPosition(phase))
    }

    /// Parameters a token touches: the top-k share of routed-expert weights, all of the others.
    public var activeParameters: Int { parameters / instances * activePerToken }

    public func weightBytes(_ p: Precision) -> Double { Double(parameters) * p.weights(for: kind).bytesPerElement }

    /// Bytes of output activations written for `tokens` tokens.
    public func activationBytes(tokens: Int, _ p: Precision) -> Double {
        Double(tokens * outputElementsPerToken) * p.activations.bytesPerElement
    }

    /// Input shape for `batch` sequences of `sequence` tokens (context = sequence for attention).
    public func inputShape(batch: Int, sequence: Int) -> [Int] {
        switch kind {
        case .embedding: [batch, sequence]
        case .attentionScore: [batch, outFeatures, sequence, inFeatures]
        case .attentionSoftmax, .attentionContext: [batch, outFeatures, sequence, sequence]
        default: instances > 1 ? [batch, sequence, activePerToken, inFeatures] : [batch, sequence, inFeatures]
        }
    }

    public func outputShape(batch: Int, sequence: Int) -> [Int] {
        switch kind {
        case .attentionScore, .attentionSoftmax: [batch, outFeatures, sequence, sequence]
        case .attentionContext: [batch, sequence, outFeatures * inFeatures]
        default: instances > 1 ? [batch, sequence, activePerToken, outFeatures] : [batch, sequence, outFeatures]
        }
    }
}
