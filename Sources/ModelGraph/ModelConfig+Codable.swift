/// Plans embed their `ModelConfig`. Keys added after the first plan format are decoded if
/// present and fall back to their defaults, so plans written before them still load.
extension ModelConfig {
    enum CodingKeys: String, CodingKey {
        case modelType, hiddenSize, intermediateSize, layers, attentionHeads, kvHeads, headDim, vocabSize
        case tiedEmbeddings, qkvBias, outputBias, mlpBias, activation, norm, positions, maxPositions
        case experts, expertsPerToken, sharedExperts, moeIntermediateSize, firstDenseLayers
        case moeLayerFrequency, routerBias, mla, ropeTheta, normEpsilon
        case qkNorm, decoderSparseStep, mlpOnlyLayers, qkNormFullWidth, parallelBlock, sharedBlockNorm
        case normPlacement, normVectors, lmHeadBias, embeddingNorm, positionOffset, expertBias
        case sharedExpertIntermediateSize, sharedExpertGate, attentionSinks, slidingWindow, windowedLayers, fileWeights
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(modelType: try c.decode(String.self, forKey: .modelType),
                  hiddenSize: try c.decode(Int.self, forKey: .hiddenSize),
                  intermediateSize: try c.decode(Int.self, forKey: .intermediateSize),
                  layers: try c.decode(Int.self, forKey: .layers),
                  attentionHeads: try c.decode(Int.self, forKey: .attentionHeads),
                  kvHeads: try c.decode(Int.self, forKey: .kvHeads),
                  headDim: try c.decode(Int.self, forKey: .headDim),
                  vocabSize: try c.decode(Int.self, forKey: .vocabSize),
                  tiedEmbeddings: try c.decode(Bool.self, forKey: .tiedEmbeddings),
                  qkvBias: try c.decode(Bool.self, forKey: .qkvBias),
                  outputBias: try c.decode(Bool.self, forKey: .outputBias),
                  mlpBias: try c.decode(Bool.self, forKey: .mlpBias),
                  activation: try c.decode(Activation.self, forKey: .activation),
                  norm: try c.decode(NormKind.self, forKey: .norm),
                  positions: try c.decode(PositionEncoding.self, forKey: .positions),
                  maxPositions: try c.decode(Int.self, forKey: .maxPositions),
                  experts: try c.decode(Int.self, forKey: .experts),
                  expertsPerToken: try c.decode(Int.self, forKey: .expertsPerToken),
                  sharedExperts: try c.decode(Int.self, forKey: .sharedExperts),
                  moeIntermediateSize: try c.decode(Int.self, forKey: .moeIntermediateSize),
                  firstDenseLayers: try c.decode(Int.self, forKey: .firstDenseLayers),
                  moeLayerFrequency: try c.decode(Int.self, forKey: .moeLayerFrequency),
                  routerBias: try c.decode(Bool.self, forKey: .routerBias),
                  mla: try c.decodeIfPresent(MLAConfig.self, forKey: .mla))
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 10_000
        normEpsilon = try c.decodeIfPresent(Double.self, forKey: .normEpsilon) ?? 1e-5
        qkNorm = try c.decodeIfPresent(Bool.self, forKey: .qkNorm) ?? false
        decoderSparseStep = try c.decodeIfPresent(Int.self, forKey: .decoderSparseStep) ?? 1
        mlpOnlyLayers = try c.decodeIfPresent([Int].self, forKey: .mlpOnlyLayers) ?? []
        qkNormFullWidth = try c.decodeIfPresent(Bool.self, forKey: .qkNormFullWidth) ?? false
        parallelBlock = try c.decodeIfPresent(Bool.self, forKey: .parallelBlock) ?? false
        sharedBlockNorm = try c.decodeIfPresent(Bool.self, forKey: .sharedBlockNorm) ?? false
        normPlacement = try c.decodeIfPresent(NormPlacement.self, forKey: .normPlacement) ?? .pre
        normVectors = try c.decodeIfPresent(Int.self, forKey: .normVectors) ?? normVectors
        lmHeadBias = try c.decodeIfPresent(Bool.self, forKey: .lmHeadBias) ?? false
        embeddingNorm = try c.decodeIfPresent(Bool.self, forKey: .embeddingNorm) ?? false
        positionOffset = try c.decodeIfPresent(Int.self, forKey: .positionOffset) ?? 0
        expertBias = try c.decodeIfPresent(Bool.self, forKey: .expertBias) ?? false
        sharedExpertIntermediateSize = try c.decodeIfPresent(Int.self, forKey: .sharedExpertIntermediateSize) ?? 0
        sharedExpertGate = try c.decodeIfPresent(Bool.self, forKey: .sharedExpertGate) ?? false
        attentionSinks = try c.decodeIfPresent(Bool.self, forKey: .attentionSinks) ?? false
        slidingWindow = try c.decodeIfPresent(Int.self, forKey: .slidingWindow)
        windowedLayers = try c.decodeIfPresent([Bool].self, forKey: .windowedLayers) ?? []
        fileWeights = try c.decodeIfPresent(DType.self, forKey: .fileWeights)
    }
}
