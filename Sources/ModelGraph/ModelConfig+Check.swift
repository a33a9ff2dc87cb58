/// The ranges a decoded `ModelConfig` must hold (one embedded in a plan file, which a person may
/// have edited): the same as a `config.json` gets, so a head dimension of -32 or a MoE layer
/// frequency of 0 (a division by zero in `isMoELayer`) is refused, not a trap in lowering.
extension ModelConfig {
    /// The first field out of range as "key: expected …, got …", or nil.
    public var problem: String? {
        let largest = JSONObjectReader.largestInt
        var positive: [(String, Int)] = [("hiddenSize", hiddenSize), ("intermediateSize", intermediateSize), ("layers", layers),
                                         ("attentionHeads", attentionHeads), ("kvHeads", kvHeads), ("headDim", headDim),
                                         ("vocabSize", vocabSize), ("moeIntermediateSize", moeIntermediateSize),
                                         ("moeLayerFrequency", moeLayerFrequency), ("decoderSparseStep", decoderSparseStep)]
        if let mla {
            positive += [("mla.kvLoraRank", mla.kvLoraRank), ("mla.qkRopeHeadDim", mla.qkRopeHeadDim),
                         ("mla.qkNopeHeadDim", mla.qkNopeHeadDim), ("mla.vHeadDim", mla.vHeadDim), ("mla.qLoraRank", mla.qLoraRank ?? 1)]
        }
        for (key, v) in positive where !(1...largest).contains(v) { return "\(key): expected 1 to \(largest), got \(v)" }
        let counts: [(String, Int)] = [("experts", experts), ("expertsPerToken", expertsPerToken), ("sharedExperts", sharedExperts),
                                       ("firstDenseLayers", firstDenseLayers), ("maxPositions", maxPositions),
                                       ("positionOffset", positionOffset), ("normVectors", normVectors),
                                       ("sharedExpertIntermediateSize", sharedExpertIntermediateSize), ("slidingWindow", slidingWindow ?? 1)]
        for (key, v) in counts where !(0...largest).contains(v) { return "\(key): expected 0 to \(largest), got \(v)" }
        if expertsPerToken > experts { return "expertsPerToken: expected at most the \(experts) experts, got \(expertsPerToken)" }
        if firstDenseLayers > layers { return "firstDenseLayers: expected at most the \(layers) layers, got \(firstDenseLayers)" }
        if mla == nil && attentionHeads % kvHeads != 0 {
            return "kvHeads: expected a divisor of attentionHeads \(attentionHeads), got \(kvHeads)"
        }
        if let bad = mlpOnlyLayers.first(where: { !(0..<layers).contains($0) }) {
            return "mlpOnlyLayers: expected layer indices 0 to \(layers - 1), got \(bad)"
        }
        if windowedLayers.count > layers { return "windowedLayers: expected at most \(layers) entries, got \(windowedLayers.count)" }
        for (key, v) in [("ropeTheta", ropeTheta), ("normEpsilon", normEpsilon)] where !(v > 0 && v.isFinite) {
            return "\(key): expected a positive finite number, got \(v)"
        }
        do { try checkWork(file: "", layersKey: "layers", hiddenKey: "hiddenSize") } catch {
            if case .invalidValue(_, let key, let value, let expected) = error { return "\(key): expected \(expected), got \(value)" }
            return "\(error)"
        }
        return nil
    }
}
