import ClusterSpec
import CostModel
import ModelGraph

extension Evaluator {
    /// The plan artifact of a feasible evaluation, or nil when it is infeasible.
    public func plan(_ e: Evaluation) -> Plan? {
        guard let metrics = e.metrics, let memory = e.memory else { return nil }
        let s = e.candidate.strategy, sc = inputs.scenario
        let shard = modelShard(Shard(tp: s.tp, ep: s.ep))
        let m = microbatches(s, batch: e.candidate.batch)  // prefill and decode alike
        let b = Double(e.candidate.batch)
        _ = sc
        let prefill = Work.prefill(sequences: b / Double(m), tokens: Double(sc.inputTokens))
        let decode = Work.decode(sequences: b / Double(m), context: meanDecodeContext)
        // Per EP rank: the busiest attention-DP rank's share (one whole sequence below EP).
        let prefillShare = prefill.busiestShare(s.ep), decodeShare = decode.busiestShare(s.ep)
        let buffer = onChipBytes(memory)

        func opShards(_ layer: LayerShard) -> Plan.LayerClass {
            // Each kernel group's time goes to its first op; fused members cost nothing more.
            var prefillS: [String: Double] = [:], decodeS: [String: Double] = [:]
            for g in layer.groups {
                prefillS[g.names[0]] = g.cost(prefill, ep: s.ep, rates: rates, tiers: memory.choice).seconds
                decodeS[g.names[0]] = g.cost(decode, ep: s.ep, rates: rates, tiers: memory.choice).seconds
            }
            let kinds = layer.ops.map(\.kind)
            let mlpEnd = kinds.lastIndex { [.mlpDown, .expertDown, .sharedExpertDown].contains($0) }
            let expertEnd = kinds.lastIndex(of: .expertDown)
            return Plan.LayerClass(ops: layer.ops.enumerated().map { i, op in
                var after: [String] = []
                if layer.epAllToAlls > 0 && op.kind == .router { after.append("allToAll:ep") }
                if layer.epAllToAlls > 0 && i == expertEnd { after.append("allToAll:ep") }
                if layer.tpAllReduces > 0 && (op.kind == .outputProjection || i == mlpEnd) { after.append("allReduce:tp") }
                let rows = Int((decode.tokens * decodeShare).rounded(.up))
                let k = op.inFeatures, n = op.outFeatures / max(op.tpDivisor, 1)
                let tiling = op.kind.isMatmul && op.weightBytes > 0
                    ? tile(k: k, n: max(n, 1), fullN: op.outFeatures, tp: op.tpDivisor, rows: max(rows, 1),
                           weightBytes: inputs.precision.weights.bytesPerElement,
                           activationBytes: inputs.precision.activations.bytesPerElement, bufferBytes: buffer)
                    : Tiling(tileK: 0, tileN: 0, tiles: 1, paddingWaste: 0)
                return Plan.OpShard(
                    name: op.name, kind: op.kind.rawValue, tpDivisor: op.tpDivisor, weightBytes: op.weightBytes,
                    tiling: tiling,
                    prefillSeconds: prefillS[op.name] ?? 0, decodeSeconds: decodeS[op.name] ?? 0,
                    collectivesAfter: after)
            }, kernels: layer.groups)
        }

        var stages: [Plan.Stage] = [], first = 0
        for (i, count) in e.stageLayers.enumerated() {
            stages.append(Plan.Stage(index: i, firstLayer: first, layerCount: count,
                                     layerClasses: Array(shard.layerClass[first..<(first + count)])))
            first += count
        }
        let hidden = shard.hiddenBytesPerToken
        let hostStepUs = rates.software.stepOverheadUs + decode.sequences * decodeShare * rates.software.requestOverheadUs
        let topK = Double(shard.classes.map(\.routedTopK).max() ?? 0)
        let comm = Plan.Communication(
            tpAllReduceBytesPrefill: prefill.tokens * prefillShare * hidden,
            tpAllReduceBytesDecode: decode.tokens * decodeShare * hidden,
            epAllToAllBytesPrefill: prefill.tokens * prefillShare * shard.dispatchBytesPerToken * topK,
            epAllToAllBytesDecode: decode.tokens * decodeShare * shard.dispatchBytesPerToken * topK,
            epCombineBytesPrefill: prefill.tokens * prefillShare * hidden * topK,
            epCombineBytesDecode: decode.tokens * decodeShare * hidden * topK,
            stageSendBytesPrefill: prefill.tokens * prefillShare * hidden / Double(s.tp),
            stageSendBytesDecode: decode.tokens * decodeShare * hidden / Double(s.tp))
        return Plan(
            schema: Plan.schema, model: inputs.modelName, modelConfig: inputs.model.config, modelLayers: inputs.model.layerCount,
            hiddenSize: inputs.model.config.hiddenSize, cluster: inputs.cluster.name,
            levels: hierarchy.levels.map {
                Plan.Level(name: $0.name, count: $0.count, chipletsPerUnit: $0.chipletsPerUnit,
                           topology: $0.topology.rawValue, bandwidthGBps: $0.bandwidthGBps,
                           latencyUs: $0.latencyUs, overheadUs: $0.overheadUs)
            },
            scenario: sc, strategy: s, mapping: mapping(s), batch: e.candidate.batch,
            prefillMicrobatches: m, decodeMicrobatches: m, stages: stages,
            head: opShards(shard.head), tail: opShards(shard.tail),
            layerClasses: shard.classes.map(opShards), communication: comm,
            chiplets: (0..<s.chiplets).map { chiplet($0, s) },
            memory: memory, weightStationary: memory.weightStationary, predicted: metrics,
            software: Plan.Software(name: rates.software.name,
                                    // The host step of one microbatch iteration (as `pipeline` charges it): in series,
                                    // or beside the device under an overlap scheduler.
                                    stepOverheadUs: rates.software.overlapScheduler ? 0 : hostStepUs,
                                    overlappedStepUs: rates.software.overlapScheduler ? hostStepUs : nil,
                                    collectiveLaunchUsPrefill: rates.software.launchUs(prefill: true),
                                    collectiveLaunchUsDecode: rates.software.launchUs(prefill: false),
                                    maxNumTokens: rates.software.maxNumTokens,
                                    frontEndMs: rates.software.frontEndMs > 0 ? rates.software.frontEndMs : nil),
            chip: rates.figures, roles: Plan.Roles(distances: Plan.idealDistances(s, on: hierarchy)))
    }

    /// Members each dimension uses at each level it crosses.
    public func mapping(_ s: Strategy) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for dim in ParallelDim.allCases where s.size(dim) > 1 {
            let factors = hierarchy.factors(stride: s.stride(dim), size: s.size(dim))
            var levels: [String: Int] = [:]
            for (i, f) in factors.enumerated() where f > 1 { levels[hierarchy.levels[i].name] = f }
            out[dim.rawValue] = levels
        }
        return out
    }

    /// "TP 8 in node; PP 4 across rack ×2, cluster ×2".
    public func mappingText(_ s: Strategy) -> String {
        let m = mapping(s)
        let parts = ParallelDim.allCases.compactMap { dim -> String? in
            guard let levels = m[dim.rawValue] else { return nil }
            let names = hierarchy.levels.map(\.name).filter { levels[$0] != nil }
            let where_ = names.count == 1 ? "in \(names[0])"
                : "across " + names.map { "\($0) ×\(levels[$0] ?? 1)" }.joined(separator: ", ")
            return "\(dim.rawValue.uppercased()) \(s.size(dim)) \(where_)"
        }
        return parts.isEmpty ? "one chiplet" : parts.joined(separator: "; ")
    }

    /// Ranks and neighbours of chiplet `index` under the strategy's mapping order.
    func chiplet(_ index: Int, _ s: Strategy) -> Plan.Chiplet {
        func rank(_ d: ParallelDim) -> Int { (index / s.stride(d)) % s.size(d) }
        func group(_ d: ParallelDim) -> [Int] {
            let base = index - rank(d) * s.stride(d)
            return (0..<s.size(d)).map { base + $0 * s.stride(d) }
        }
        let stage = rank(.pp), ppStride = s.stride(.pp)
        let experts = inputs.model.config.experts / s.ep
        return Plan.Chiplet(
            index: index, stage: stage, tpRank: rank(.tp), epRank: rank(.ep), dpRank: rank(.dp),
            coordinates: hierarchy.levels.map { (index % ($0.chipletsPerUnit)) / ($0.chipletsPerMember) },
            tpGroup: group(.tp), epGroup: group(.ep),
            expertFirst: rank(.ep) * experts, expertCount: experts,
            previousStage: stage > 0 ? index - ppStride : nil,
            nextStage: stage < s.pp - 1 ? index + ppStride : nil)
    }

    /// Bytes of on-chip memory a tile may use: what the innermost tier has left when it is
    /// on-chip SRAM (the innermost of several tiers, or one named SRAM), else the assumed
    /// L2-sized buffer.
    public func onChipBytes(_ memory: MemoryUse) -> Double {
        guard rates.tiers.count > 1 || rates.tiers[0].name.uppercased().contains("SRAM") else {
            return defaultOnChipBytes
        }
        let t = memory.tiers[0]
        return max(t.capacityBytes - t.usedBytes + t.activationBytes, defaultOnChipBytes / 32)
    }
}
