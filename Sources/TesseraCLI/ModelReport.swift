import ModelGraph

/// What `tessera model` reports about one workload; encoded as-is for `--json`.
struct ModelReport: Encodable {
    struct Parameters: Encodable { let total: Int; let active: Int }
    struct AttentionFLOPs: Encodable { let decode: Double; let prefill: Double }

    struct OpRow: Encodable {
        let name: String
        let kind: String
        let inFeatures: Int
        let outFeatures: Int
        let parameters: Int
        let instances: Int
        let activePerToken: Int
        let flopsPerToken: Double
        let flopsPerContextPosition: Double
        let activationBytesPerToken: Double
        let splittable: [String]
    }

    /// A run of consecutive layers with the same ops; op names drop the `layers.N.` prefix.
    struct LayerGroup: Encodable {
        let firstLayer: Int
        let lastLayer: Int
        let moe: Bool
        /// Positions these layers attend to and cache at most (sliding or chunked); nil: all.
        let attentionWindow: Int?
        let parametersPerLayer: Int
        let flopsPerTokenPerLayer: Double
        let ops: [OpRow]
    }

    let name: String
    let file: String
    let modelType: String
    let parameters: Parameters
    /// Weight bytes in each dtype.
    let bytes: [String: Double]
    let precision: Precision
    let weightBytes: Double
    /// KV-cache bytes per token at `precision.kvCache`, and in each dtype.
    let kvBytesPerToken: Double
    let kvBytesPerTokenByDType: [String: Double]
    /// KV-cache bytes of one sequence at `context`, windowed layers keeping their window only.
    let kvBytesAtContext: Double
    /// The weight dtype the file declares, if any.
    let fileWeights: DType?
    /// Context-independent forward FLOPs per token (LM head included).
    let flopsPerToken: Double
    /// Attention FLOPs per token per attended position, all layers.
    let attentionFLOPsPerPosition: AttentionFLOPs
    let context: Int
    let prefillFLOPs: Double
    let decodeFLOPs: Double
    let layers: [LayerGroup]
    let outsideLayers: [OpRow]

    init(graph: ModelGraph, file: String, precision: Precision, context: Int) {
        name = graph.name
        self.file = file
        modelType = graph.config.modelType
        parameters = Parameters(total: graph.totalParameters, active: graph.activeParameters)
        bytes = Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0.rawValue, graph.weightBytes(Precision($0))) })
        self.precision = precision
        weightBytes = graph.weightBytes(precision)
        kvBytesPerToken = graph.kvCacheBytesPerToken(precision.kvCache)
        kvBytesPerTokenByDType = Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0.rawValue, graph.kvCacheBytesPerToken($0)) })
        kvBytesAtContext = graph.kvCacheBytes(context: context, precision.kvCache)
        fileWeights = graph.config.fileWeights
        flopsPerToken = graph.flopsPerToken
        attentionFLOPsPerPosition = AttentionFLOPs(decode: graph.attentionFLOPsPerPosition(.decode),
                                                   prefill: graph.attentionFLOPsPerPosition(.prefill))
        self.context = context
        prefillFLOPs = graph.prefillFLOPs(tokens: context)
        decodeFLOPs = graph.decodeFLOPs(context: context)
        layers = Self.groups(graph, precision: precision)
        outsideLayers = graph.ops.filter { $0.layer == nil }.map { Self.row($0, prefix: "", precision: precision) }
    }

    private static func row(_ op: Op, prefix: String, precision: Precision) -> OpRow {
        OpRow(name: op.name.hasPrefix(prefix) ? String(op.name.dropFirst(prefix.count)) : op.name,
              kind: op.kind.rawValue, inFeatures: op.inFeatures, outFeatures: op.outFeatures,
              parameters: op.parameters, instances: op.instances, activePerToken: op.activePerToken,
              flopsPerToken: op.flopsPerToken, flopsPerContextPosition: op.flopsPerContextPosition(.decode),
              activationBytesPerToken: op.activationBytes(tokens: 1, precision),
              splittable: SplitDimension.allCases.filter { op.splittable.contains($0) }.map(\.rawValue))
    }

    private static func groups(_ graph: ModelGraph, precision: Precision) -> [LayerGroup] {
        var groups: [LayerGroup] = []
        var first = 0
        var rows: [OpRow] = []
        for layer in 0..<graph.layerCount {
            let layerRows = graph.ops(inLayer: layer).map { row($0, prefix: "layers.\(layer).", precision: precision) }
            let sameWindow = layer == 0 || graph.layerSummaries[layer].attentionWindow == graph.layerSummaries[layer - 1].attentionWindow
            if layer > 0 && sameWindow && layerRows.map(\.name) == rows.map(\.name) && layerRows.map(\.parameters) == rows.map(\.parameters) {
                continue
            }
            if layer > 0 { groups.append(group(graph, first: first, last: layer - 1, rows: rows)) }
            first = layer
            rows = layerRows
        }
        if graph.layerCount > 0 { groups.append(group(graph, first: first, last: graph.layerCount - 1, rows: rows)) }
        return groups
    }

    private static func group(_ graph: ModelGraph, first: Int, last: Int, rows: [OpRow]) -> LayerGroup {
        let summary = graph.layerSummaries[first]
        return LayerGroup(firstLayer: first, lastLayer: last, moe: summary.isMoE, attentionWindow: summary.attentionWindow,
                          parametersPerLayer: summary.parameters,
                          flopsPerTokenPerLayer: summary.flopsPerToken, ops: rows)
    }
}
