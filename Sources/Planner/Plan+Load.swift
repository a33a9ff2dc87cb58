import ClusterSpec
import Foundation
import SafeOutput

/// A plan file that cannot be read, decoded or trusted: names the file and what is wrong.
public struct PlanFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

extension Plan {
    /// Reads a plan written by `tessera plan -o` and checks that its parts agree, so a truncated
    /// or hand-edited file is an error here rather than a wrong program or a trap later.
    public static func load(path: String) throws(PlanFileError) -> Plan {
        let data: Data
        do { data = try InputFile.read(path) } catch { throw PlanFileError(path: path, reason: "cannot read it (\(error.reason))") }
        let plan: Plan
        do { plan = try JSONDecoder().decode(Plan.self, from: data) } catch {
            throw PlanFileError(path: path, reason: "not a plan written by `tessera plan -o` (\(error))")
        }
        if let problem = plan.inconsistency {
            throw PlanFileError(path: path, reason: "inconsistent plan: \(problem); write it again with `tessera plan -o`")
        }
        var isDirectory: ObjCBool = false
        if let tables = plan.chip?.kernelTables,
           !(FileManager.default.fileExists(atPath: tables, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw PlanFileError(path: path, reason: "chip.kernelTables: \(tables) is not a folder of kernel tables "
                + "(run from the folder the plan was written in, or write the plan again)")
        }
        return plan
    }

    /// What the plan reports that a reader prints or lowers: predicted metrics, memory per tier and
    /// bytes per collective. None can be negative (a hand-edited -2^63 passed through to the output).
    var reportedFigures: [(key: String, value: Double)] {
        let p = predicted, c = communication
        var out: [(key: String, value: Double)] = [
            ("predicted.ttftMs", p.ttftMs), ("predicted.tpotMs", p.tpotMs),
            ("predicted.outputTokensPerSecond", p.outputTokensPerSecond),
            ("predicted.outputTokensPerSecondPerChip", p.outputTokensPerSecondPerChip),
            ("predicted.outputTokensPerSecondPerRack", p.outputTokensPerSecondPerRack),
            ("predicted.outputTokensPerSecondPerKW", p.outputTokensPerSecondPerKW),
            ("predicted.tokensPerSecondPerUser", p.tokensPerSecondPerUser),
            ("predicted.computeUtilisation", p.computeUtilisation), ("predicted.bandwidthUtilisation", p.bandwidthUtilisation),
            ("predicted.bubbleFraction", p.bubbleFraction), ("predicted.communicationFraction", p.communicationFraction),
            ("communication.tpAllReduceBytesPrefill", c.tpAllReduceBytesPrefill),
            ("communication.tpAllReduceBytesDecode", c.tpAllReduceBytesDecode),
            ("communication.epAllToAllBytesPrefill", c.epAllToAllBytesPrefill),
            ("communication.epAllToAllBytesDecode", c.epAllToAllBytesDecode),
            ("communication.epCombineBytesPrefill", c.epCombineBytesPrefill ?? 0),
            ("communication.epCombineBytesDecode", c.epCombineBytesDecode ?? 0),
            ("communication.stageSendBytesPrefill", c.stageSendBytesPrefill),
            ("communication.stageSendBytesDecode", c.stageSendBytesDecode),
        ]
        for (i, t) in memory.tiers.enumerated() {
            out += [("memory.tiers[\(i)].capacityBytes", t.capacityBytes), ("memory.tiers[\(i)].weightBytes", t.weightBytes),
                    ("memory.tiers[\(i)].kvCacheBytes", t.kvCacheBytes), ("memory.tiers[\(i)].activationBytes", t.activationBytes),
                    ("memory.tiers[\(i)].reserveBytes", t.reserveBytes)]
        }
        return out
    }

    /// The first way the plan disagrees with itself, as "key: what is wrong", or nil.
    public var inconsistency: String? {
        let s = strategy, n = chiplets.count
        if schema != Plan.schema { return "schema: expected \(Plan.schema), got \(schema)" }
        if min(s.tp, s.pp, s.dp, s.ep, batch) < 1 { return "strategy/batch: every size must be at least 1" }
        if let sw = software {
            for (key, v) in [("stepOverheadUs", sw.stepOverheadUs), ("overlappedStepUs", sw.overlappedStepUs ?? 0),
                             ("collectiveLaunchUsPrefill", sw.collectiveLaunchUsPrefill),
                             ("collectiveLaunchUsDecode", sw.collectiveLaunchUsDecode)] where !(v >= 0 && v <= 1e6) {
                return "software.\(key): expected a number of µs from 0 to 1,000,000, got \(v)"
            }
            if let v = sw.frontEndMs, !(v >= 0 && v <= 600_000) {
                return "software.frontEndMs: expected a number of ms from 0 to 600,000, got \(v)"
            }
        }
        // The cluster file's span (1e-9 to 1e12): a bandwidth of 1e-300 emulated to a TPOT of 2e298 ms, exit 0.
        for (i, l) in levels.enumerated() where LinkTopology(rawValue: l.topology) == nil
            || !(l.bandwidthGBps >= 1e-9 && l.bandwidthGBps <= 1e12 && (0...1e12).contains(l.latencyUs)
                 && (0...1e12).contains(l.overheadUs) && l.count >= 1 && l.chipletsPerUnit >= 1) {
            return "levels[\(i)]: expected a known topology, a positive count and chipletsPerUnit, bandwidthGBps from 1e-9 to 1e12 "
                + "and latencyUs and overheadUs from 0 to 1e12, got \(l.topology), \(l.count), \(l.chipletsPerUnit), "
                + "\(l.bandwidthGBps), \(l.latencyUs) and \(l.overheadUs)"
        }
        if levels.isEmpty { return "levels: expected at least one level, got none" }
        if let (key, v) = reportedFigures.first(where: { !($0.value.isFinite && $0.value >= 0) }) {
            return "\(key): expected a finite number ≥ 0, got \(v)"
        }
        if let problem = modelConfig.problem { return "modelConfig.\(problem)" }
        for (key, v, expected) in [("modelLayers", modelLayers, modelConfig.layers), ("hiddenSize", hiddenSize, modelConfig.hiddenSize)]
        where v != expected {
            return "\(key): expected modelConfig's \(expected), got \(v)"
        }
        for (key, v) in [("inputTokens", scenario.inputTokens), ("outputTokens", scenario.outputTokens)]
        where !(1...PlanError.maxCount).contains(v) {
            return "scenario.\(key): expected 1 to \(PlanError.maxCount), got \(v)"
        }
        if let q = quantisation, let problem = q.problem(layers: modelConfig.layers, precision: scenario.precision) {
            return problem
        }
        if let chip, let problem = chip.problem { return "chip.\(problem)" }
        if let bad = chip?.tiers.count, bad > 0,
           max(memory.choice.weights, memory.choice.kvCache, memory.choice.activations) >= bad
            || min(memory.choice.weights, memory.choice.kvCache, memory.choice.activations) < 0 {
            return "memory.choice: a tier index is not one of the chip's \(bad) tiers"
        }
        let share = memory.choice.kvInnerShare
        if !(share > 0 && share <= 1) || (share < 1 && memory.choice.kvCache + 1 >= (chip?.tiers.count ?? 1)) {
            return "memory.choice.kvInnerShare: expected a share in (0, 1], below 1 only with a tier outside the K/V tier, got \(share)"
        }
        for (where_, cls) in [("head", head), ("tail", tail)] + layerClasses.enumerated().map({ ("layerClasses[\($0)]", $1) }) {
            for (i, op) in cls.ops.enumerated() where op.tpDivisor < 1
                || ![op.weightBytes, op.prefillSeconds, op.decodeSeconds].allSatisfy({ $0.isFinite && $0 >= 0 }) {
                return "\(where_).ops[\(i)]: expected tpDivisor ≥ 1 and finite weightBytes, prefillSeconds, decodeSeconds ≥ 0"
            }
            for (i, k) in (cls.kernels ?? []).enumerated() {
                if let problem = k.problem { return "\(where_).kernels[\(i)].\(problem)" }
            }
        }
        if let budget = software?.maxNumTokens, !(1...PlanError.maxCount).contains(budget) {
            return "software.maxNumTokens: expected 1 to \(PlanError.maxCount), got \(budget)"
        }
        if s.chiplets != n { return "chiplets: \(n) entries but the strategy \(s) needs \(s.chiplets)" }
        if let problem = placementInconsistency { return problem }
        if stages.count != s.pp { return "stages: \(stages.count) entries but PP is \(s.pp)" }
        var next = 0
        for (i, stage) in stages.enumerated() {
            guard (0...max(modelLayers, 0)).contains(stage.layerCount), stage.firstLayer == next else {
                return "stages[\(i)]: expected firstLayer \(next) (after the stage before) and layerCount 0 to \(modelLayers), got \(stage.firstLayer) and \(stage.layerCount)"
            }
            next += stage.layerCount
        }
        if next != modelLayers {
            return "stages: their layers do not add up to the model's \(modelLayers)"
        }
        for (i, stage) in stages.enumerated() {
            if stage.layerClasses.count != stage.layerCount {
                return "stages[\(i)].layerClasses: \(stage.layerClasses.count) entries for \(stage.layerCount) layers"
            }
            if let bad = stage.layerClasses.first(where: { $0 < 0 || $0 >= layerClasses.count }) {
                return "stages[\(i)].layerClasses: class \(bad) does not exist (there are \(layerClasses.count))"
            }
        }
        for (i, c) in chiplets.enumerated() {
            let peers = c.tpGroup + c.epGroup + [c.previousStage, c.nextStage].compactMap { $0 }
            if c.index != i { return "chiplets[\(i)].index: expected \(i), got \(c.index)" }
            if c.stage < 0 || c.stage >= s.pp { return "chiplets[\(i)].stage: \(c.stage) is not a stage" }
            if let bad = peers.first(where: { $0 < 0 || $0 >= n }) {
                return "chiplets[\(i)]: peer \(bad) is not a chiplet of this plan"
            }
            if c.tpGroup.count != s.tp || c.epGroup.count != s.ep {
                return "chiplets[\(i)]: groups of \(c.tpGroup.count) (TP) and \(c.epGroup.count) (EP) for TP \(s.tp), EP \(s.ep)"
            }
            for (key, rank, size) in [("tpRank", c.tpRank, s.tp), ("epRank", c.epRank, s.ep), ("dpRank", c.dpRank, s.dp)]
            where !(0..<size).contains(rank) {
                return "chiplets[\(i)].\(key): expected 0 to \(size - 1), got \(rank)"
            }
            if Set(c.tpGroup).count != c.tpGroup.count || Set(c.epGroup).count != c.epGroup.count {
                return "chiplets[\(i)]: a chiplet appears twice in its TP or EP group"
            }
        }
        return groupInconsistency
    }

    /// Groups that agree with each other: a chiplet sits at its own rank in its TP (EP) group, lists
    /// the group its first member lists, and every member of it lists the same first member (so
    /// all list one group, in O(group size) a chiplet). Otherwise ranks wait on messages no peer sends (a hand-edited `tpGroup` hung
    /// `emulate` until the watchdog fired).
    var groupInconsistency: String? {
        for (i, c) in chiplets.enumerated() {
            for (key, group, rank) in [("tpGroup", c.tpGroup, c.tpRank), ("epGroup", c.epGroup, c.epRank)] {
                let listed = { (j: Int) in key == "tpGroup" ? self.chiplets[j].tpGroup : self.chiplets[j].epGroup }
                if group[rank] != i { return "chiplets[\(i)].\(key): expected chiplet \(i) at its rank \(rank), got \(group)" }
                if listed(group[0]) != group {
                    return "chiplets[\(i)].\(key): expected \(listed(group[0])) (the group of its first member \(group[0])), got \(group)"
                }
                if let p = group.first(where: { listed($0).first != group[0] }) {
                    return "chiplets[\(p)].\(key): expected \(group) (chiplet \(i) lists it in that group), got \(listed(p))"
                }
            }
        }
        return nil
    }
}
