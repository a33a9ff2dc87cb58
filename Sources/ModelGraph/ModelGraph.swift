import Foundation

/// The operator graph of a decoder-only transformer, with per-layer sums precomputed.
public struct ModelGraph: Sendable {
    public let name: String
    public let config: ModelConfig
    /// Embedding ops, then each layer's ops in order, then final norm and LM head.
    public let ops: [Op]
    /// One summary per layer, indexed by layer.
    public let layerSummaries: [LayerSummary]
    /// The token (and learned position) embedding.
    public let embeddingSummary: LayerSummary
    /// The final norm and the LM head.
    public let headSummary: LayerSummary
    public let totalParameters: Int
    public let activeParameters: Int
    private let layerRanges: [Range<Int>]

    public init(config: ModelConfig, name: String) {
        self.name = name
        self.config = config
        let ops = GraphBuilder(config: config).build()
        self.ops = ops
        var ranges: [Range<Int>] = []
        var start = ops.firstIndex { $0.layer != nil } ?? 0
        let embeddingEnd = start
        for layer in 0..<config.layers {
            let end = ops[start...].firstIndex { $0.layer != layer } ?? ops.endIndex
            ranges.append(start..<end)
            start = end
        }
        layerRanges = ranges
        layerSummaries = ranges.enumerated().map { layer, range in
            LayerSummary(layer: layer, isMoE: config.isMoELayer(layer), ops: ops[range])
        }
        embeddingSummary = LayerSummary(layer: nil, isMoE: false, ops: ops[..<embeddingEnd])
        headSummary = LayerSummary(layer: nil, isMoE: false, ops: ops[start...])
        let all = layerSummaries + [embeddingSummary, headSummary]
        totalParameters = all.reduce(0) { $0 + $1.parameters }
        activeParameters = all.reduce(0) { $0 + $1.activeParameters }
    }

    /// Loads a HF `config.json`-shaped workload; the graph is named after the file.
    public static func load(path: String) throws(ModelGraphError) -> ModelGraph {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return ModelGraph(config: try ModelConfig.load(path: path), name: name)
    }

    public var layerCount: Int { config.layers }

    /// The ops of layer `inLayer`; empty outside 0..<layerCount.
    public func ops(inLayer layer: Int) -> [Op] {
        layerRanges.indices.contains(layer) ? Array(ops[layerRanges[layer]]) : []
    }

    public func weightBytes(_ p: Precision) -> Double {
        p.mlpWeights == nil ? Double(totalParameters) * p.weights.bytesPerElement : ops.reduce(0) { $0 + $1.weightBytes(p) }
    }

    /// FLOPs of one forward pass per token that do not depend on context, LM head included.
    public var flopsPerToken: Double {
        layerSummaries.reduce(embeddingSummary.flopsPerToken + headSummary.flopsPerToken) { $0 + $1.flopsPerToken }
    }

    /// Attention FLOPs per token per attended position, all layers.
    public func attentionFLOPsPerPosition(_ phase: InferencePhase) -> Double {
        layerSummaries.reduce(0) {
            $0 + (phase == .decode ? $1.decodeAttentionFLOPsPerPosition : $1.prefillAttentionFLOPsPerPosition)
        }
    }

    /// One sequence of `tokens` tokens, attention causal (context grows 1…N). As serving engines
    /// do, the final norm and LM head run on the last position only.
    public func prefillFLOPs(tokens: Int) -> Double {
        let layers = layerSummaries.reduce(0) { $0 + $1.prefillFLOPs(tokens: tokens) }
        return embeddingSummary.prefillFLOPs(tokens: tokens) + layers + headSummary.decodeFLOPs(context: tokens)
    }

    /// One new token attending over `context` positions (the new one included), each layer's
    /// positions capped by its window.
    public func decodeFLOPs(context: Int) -> Double {
        layerSummaries.reduce(embeddingSummary.decodeFLOPs(context: context) + headSummary.decodeFLOPs(context: context)) {
            $0 + $1.decodeFLOPs(context: context)
        }
    }

    /// KV-cache bytes of one sequence at `context`, windowed layers keeping their window only.
    public func kvCacheBytes(context: Int, _ dtype: DType) -> Double {
        layerSummaries.reduce(0) { $0 + $1.kvCacheBytes(context: context, dtype) }
    }

    /// True when some layer attends within a window; `kvCacheBytesPerToken` then overstates long contexts.
    public var hasWindowedLayers: Bool { layerSummaries.contains { $0.attentionWindow != nil } }

    /// KV-cache bytes one token adds over all layers; MLA caches the latent plus the rope key.
    public func kvCacheBytesPerToken(_ dtype: DType) -> Double {
        Double(layerSummaries.reduce(0) { $0 + $1.kvCacheElementsPerToken }) * dtype.bytesPerElement
    }
}
