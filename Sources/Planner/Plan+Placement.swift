import ClusterSpec
import CostModel

/// A plan is relocatable: `chiplets[i]` is a role (its stage, ranks and the roles it talks to),
/// and the roles' physical chiplets are a separate binding. Without one, role i runs on chiplet
/// i, the planner's ideal layout; `tessera place` binds the roles to the free chiplets of a
/// cluster and writes the binding here.
extension Plan {
    /// How close the members of each kind of group sit in the ideal placement.
    public struct Roles: Codable, Sendable, Equatable {
        /// For "tp" and "ep" groups and "pp" (neighbouring stages), the innermost level that
        /// holds the whole group: the level whose link its messages cross.
        public var distances: [String: String]
    }

    /// Roles bound to chiplets and memory channels of one cluster.
    public struct Placement: Codable, Sendable, Equatable {
        /// The free chiplets the binding chose from, as ranges (`0-511,600-1151`); the rest of
        /// them are the spares a failed chiplet's role moves to.
        public var available: String
        /// The chiplet each role runs on.
        public var chiplets: [Int]
        /// The memory tier whose instances are the channels (`LPDDR5X`, `HBM3e`): the outermost
        /// tier the plan keeps anything in.
        public var channelTier: String
        /// Chiplets that share one channel (one instance of the tier).
        public var chipletsPerChannel: Int
        /// The channel each role uses: `chiplets[i] / chipletsPerChannel`.
        public var channels: [Int]
        /// The free channels the binding chose from, as ranges.
        public var availableChannels: String
        /// The prediction at the ideal placement (`Plan.predicted` is at this one).
        public var ideal: Metrics

        public init(available: String, chiplets: [Int], channelTier: String, chipletsPerChannel: Int, channels: [Int],
                    availableChannels: String, ideal: Metrics) {
            self.available = available; self.chiplets = chiplets; self.channelTier = channelTier
            self.chipletsPerChannel = chipletsPerChannel; self.channels = channels
            self.availableChannels = availableChannels; self.ideal = ideal
        }
    }

    /// The chiplet each role runs on.
    public var positions: [Int] { placement?.chiplets ?? Array(chiplets.indices) }

    /// Chiplets in the plan's cluster, or nil when its level counts overflow or pass `maxChiplets`.
    public var clusterChiplets: Int? {
        var total = 1
        for l in levels {
            let (t, overflow) = total.multipliedReportingOverflow(by: l.count)
            guard !overflow, t <= Plan.maxChiplets else { return nil }
            total = t
        }
        return total
    }

    /// The largest cluster a plan may describe, the largest a cluster file may: far past any
    /// machine, small enough that the per-chiplet tables of placement stay a few MB.
    public static let maxChiplets = ClusterSpec.maxChiplets

    /// The distances of the ideal placement (`Roles`) for `strategy` on `hierarchy`.
    public static func idealDistances(_ s: Strategy, on h: Hierarchy) -> [String: String] {
        var out: [String: String] = [:]
        for dim in [ParallelDim.tp, .ep] where s.size(dim) > 1 {
            if let i = h.factors(stride: s.stride(dim), size: s.size(dim)).lastIndex(where: { $0 > 1 }) {
                out[dim.rawValue] = h.levels[i].name
            }
        }
        if s.pp > 1, let i = h.crossingLevel(stride: s.stride(.pp)) { out["pp"] = h.levels[i].name }
        return out
    }

    /// The first way the roles or the binding disagree with the rest of the plan, or nil.
    var placementInconsistency: String? {
        guard let total = clusterChiplets else {
            return "levels: their counts multiply past \(Plan.maxChiplets) chiplets"
        }
        let n = chiplets.count
        if n > total { return "chiplets: \(n) roles but the levels hold \(total) chiplets" }
        let names = Set(levels.map(\.name))
        for (key, level) in roles?.distances ?? [:] {
            guard ["tp", "ep", "pp"].contains(key) else { return "roles.distances: unknown group kind \"\(key)\"; expected tp, ep or pp" }
            guard names.contains(level) else { return "roles.distances.\(key): \"\(level)\" is not one of the plan's levels" }
        }
        guard let p = placement else { return nil }
        if p.chiplets.count != n { return "placement.chiplets: \(p.chiplets.count) entries for \(n) roles" }
        if let bad = p.chiplets.first(where: { !(0..<total).contains($0) }) {
            return "placement.chiplets: \(bad) is not a chiplet of the plan's levels (0 to \(total - 1))"
        }
        if Set(p.chiplets).count != n { return "placement.chiplets: a chiplet holds two roles" }
        let free: ChipletSet
        do { free = try ChipletSet.parse(p.available, count: total, what: "placement.available") } catch { return error.description }
        if let bad = p.chiplets.first(where: { !free.contains[$0] }) {
            return "placement.chiplets: \(bad) is not in placement.available"
        }
        guard (1...total).contains(p.chipletsPerChannel), total % p.chipletsPerChannel == 0 else {
            return "placement.chipletsPerChannel: expected a divisor of the \(total) chiplets, got \(p.chipletsPerChannel)"
        }
        if p.channels.count != n || zip(p.channels, p.chiplets).contains(where: { $0 != $1 / p.chipletsPerChannel }) {
            return "placement.channels: expected each role's chiplet / chipletsPerChannel"
        }
        let channels: ChipletSet
        do {
            channels = try ChipletSet.parse(p.availableChannels, count: total / p.chipletsPerChannel, what: "placement.availableChannels")
        } catch { return error.description }
        if let bad = p.channels.first(where: { !channels.contains[$0] }) {
            return "placement.channels: \(bad) is not in placement.availableChannels"
        }
        return nil
    }
}
