import ClusterSpec
import CostModel

/// The memory tier whose instances are a placement's channels.
public struct ChannelTier: Sendable, Equatable {
    public var name: String
    /// Chiplets sharing one instance (1 for a chiplet's own HBM; 8 for a Corsair card's LPDDR).
    public var chipletsPerChannel: Int
    public var channels: Int
}

extension Evaluator {
    /// The outermost tier `plan` keeps anything in: a role needs a healthy instance of it (its
    /// chiplet's own, or its card's or node's when the tier is shared).
    public func channelTier(_ plan: Plan) -> ChannelTier {
        let tiers = inputs.cluster.memoryPerChiplet
        let used = plan.memory.tiers.lastIndex { $0.usedBytes > 0 } ?? 0
        let tier = tiers[min(max(used, 0), max(tiers.count - 1, 0))]
        let per = max(1, tier.sharedBy)
        return ChannelTier(name: tier.name, chipletsPerChannel: per, channels: hierarchy.totalChiplets / per)
    }

    /// Chiplets a role may run on: free ones whose channel is free.
    public func usable(available: ChipletSet, channels: ChipletSet, tier: ChannelTier) -> [Bool] {
        (0..<hierarchy.totalChiplets).map { c in
            c < available.contains.count && available.contains[c]
                && c / tier.chipletsPerChannel < channels.contains.count && channels.contains[c / tier.chipletsPerChannel]
        }
    }

    /// Binds `plan` to the free chiplets and channels and prices it there (`placed`).
    public func place(_ plan: Plan, available: ChipletSet, channels: ChipletSet) throws(PlacementError) -> Plan {
        let tier = channelTier(plan)
        let positions = try Placer.place(plan, on: hierarchy, usable: usable(available: available, channels: channels, tier: tier))
        return try placed(plan, positions: positions, available: available, channels: channels, tier: tier)
    }

    /// The plan with its roles on `positions`: coordinates there, the binding recorded, and the
    /// prediction where its groups now sit (the ideal's kept in `placement.ideal`).
    public func placed(_ plan: Plan, positions: [Int], available: ChipletSet, channels: ChipletSet,
                       tier: ChannelTier) throws(PlacementError) -> Plan {
        let candidate = Candidate(strategy: plan.strategy, batch: plan.batch)
        let ideal = evaluate(candidate)
        let placedEvaluation = evaluate(candidate, placed: Placer.groups(plan, positions: positions, on: hierarchy))
        guard let idealMetrics = ideal.metrics, let metrics = placedEvaluation.metrics else {
            throw PlacementError(description: "the plan does not evaluate on \(inputs.cluster.name): "
                + (ideal.reason ?? placedEvaluation.reason ?? "infeasible"))
        }
        var out = plan
        for (i, p) in positions.enumerated() {
            out.chiplets[i].coordinates = hierarchy.levels.map { (p % $0.chipletsPerUnit) / $0.chipletsPerMember }
        }
        out.roles = plan.roles ?? Plan.Roles(distances: Plan.idealDistances(plan.strategy, on: hierarchy))
        out.predicted = metrics
        out.placement = Plan.Placement(
            available: available.text, chiplets: positions, channelTier: tier.name,
            chipletsPerChannel: tier.chipletsPerChannel, channels: positions.map { $0 / tier.chipletsPerChannel },
            availableChannels: channels.text, ideal: idealMetrics)
        return out
    }
}

extension Plan {
    /// Where the groups of the roles landed, one line per kind: "TP groups: 143 inside one node,
    /// 1 inside one rack (planned: node)".
    public func groupReport(on h: Hierarchy) -> [String] {
        let at = positions
        func innermost(_ members: [Int]) -> Int {
            members.reduce(-1) { max($0, $1 == members[0] ? -1 : h.commonLevel(at[members[0]], at[$1])) }
        }
        func line(_ title: String, _ levels: [Int], planned: String?) -> String {
            var counts = [Int](repeating: 0, count: h.levels.count + 1)
            for l in levels { counts[l + 1] += 1 }
            let parts = counts.indices.compactMap { i -> String? in
                guard counts[i] > 0 else { return nil }
                return i == 0 ? "\(counts[i]) on one chiplet" : "\(counts[i]) inside one \(h.levels[i - 1].name)"
            }
            return "\(title): " + parts.joined(separator: ", ") + (planned.map { " (planned: \($0))" } ?? "")
        }
        let planned = roles?.distances ?? Plan.idealDistances(strategy, on: h)
        var lines: [String] = []
        if strategy.tp > 1 {
            lines.append(line("TP groups", chiplets.filter { $0.tpRank == 0 }.map { innermost($0.tpGroup) }, planned: planned["tp"]))
        }
        if strategy.ep > 1 {
            lines.append(line("EP groups", chiplets.filter { $0.epRank == 0 }.map { innermost($0.epGroup) }, planned: planned["ep"]))
        }
        if strategy.pp > 1 {
            let sends = chiplets.compactMap { c in c.nextStage.map { innermost([c.index, $0]) } }
            lines.append(line("pipeline sends", sends, planned: planned["pp"]))
        }
        return lines
    }
}
