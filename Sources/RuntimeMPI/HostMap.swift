import HostTopology
import MessagePassing
import Planner

/// Where each rank of an emulation runs: which host and which PUs.
///
/// Ranks that talk most sit closest. Ranks are ordered by (replica, stage, tensor-parallel group,
/// TP rank), so a TP group is contiguous and its pipeline neighbours follow it; across hosts each
/// host takes whole (replica, stage) blocks. On a host, with ranks ≤ cores, ranks take cores in
/// that order (hwloc's logical order, so neighbours share an L3 and a NUMA node), and a TP group
/// that would straddle two cache domains (L3s, or NUMA nodes) moves to the next domain whole
/// while there are spare cores to skip; with ranks ≤ PUs, the same over PUs (hyperthreads of one
/// core are adjacent); oversubscribed, whole TP groups share a core, spread evenly over the cores.
public struct HostMap: Sendable, Equatable {
    /// What the map needs of a rank: the plan's view of its chiplet.
    public struct Role: Sendable, Equatable {
        public var rank: Int
        public var stage: Int
        public var tpRank: Int
        public var dpRank: Int
        /// The lowest chiplet index of its TP group, naming the group.
        public var tpGroup: Int

        public init(rank: Int, stage: Int, tpRank: Int, dpRank: Int, tpGroup: Int) {
            self.rank = rank
            self.stage = stage
            self.tpRank = tpRank
            self.dpRank = dpRank
            self.tpGroup = tpGroup
        }
    }

    public struct Entry: Sendable, Equatable {
        public var role: Role
        public var host: String
        /// OS indices of the PUs the rank binds to.
        public var pus: [Int]
    }

    /// One entry per rank, in rank order.
    public var entries: [Entry]

    /// Roles of the ranks of `plan`: rank r runs chiplet r, or with `oneReplica` the r-th chiplet of
    /// replica 0.
    public static func roles(of plan: Plan, oneReplica: Bool) -> [Role] {
        let chiplets = plan.chiplets.sorted { $0.index < $1.index }.filter { !oneReplica || $0.dpRank == 0 }
        return chiplets.enumerated().map { rank, chiplet in
            Role(rank: rank, stage: chiplet.stage, tpRank: chiplet.tpRank, dpRank: chiplet.dpRank,
                 tpGroup: chiplet.tpGroup.min() ?? chiplet.index)
        }
    }

    /// The map of `roles` onto `hosts` (each with the PUs of its cores, in logical order, as
    /// `Topology.puIndicesByCore` gives them, and of its cache domains, as
    /// `Topology.puIndicesByCacheDomain`; every host is assumed to look the same).
    public init(roles: [Role], hosts: [String], puIndicesByCore cores: [[Int]], domains: [[Int]] = []) {
        let ordered = roles.sorted {
            ($0.dpRank, $0.stage, $0.tpGroup, $0.tpRank, $0.rank) < ($1.dpRank, $1.stage, $1.tpGroup, $1.tpRank, $1.rank)
        }
        // Whole (replica, stage) blocks per host, in order, as evenly as they divide.
        var blocks: [[Role]] = []
        for role in ordered {
            if let last = blocks.last?.last, last.dpRank == role.dpRank, last.stage == role.stage {
                blocks[blocks.count - 1].append(role)
            } else {
                blocks.append([role])
            }
        }
        let hostNames = hosts.isEmpty ? ["localhost"] : hosts
        var byRank: [Int: Entry] = [:]
        for (hostIndex, host) in hostNames.enumerated() {
            let first = blocks.count * hostIndex / hostNames.count
            let end = blocks.count * (hostIndex + 1) / hostNames.count
            let local = blocks[first..<end].flatMap { $0 }
            for (role, pus) in zip(local, Self.place(local, cores: cores, domains: domains)) {
                byRank[role.rank] = Entry(role: role, host: host, pus: pus)
            }
        }
        entries = roles.map { $0.rank }.sorted().compactMap { byRank[$0] }
    }

    /// PUs for each of `ranks` (already in placement order) on one host.
    static func place(_ ranks: [Role], cores: [[Int]], domains: [[Int]] = []) -> [[Int]] {
        let count = ranks.count
        let pus = cores.flatMap { $0 }
        guard !cores.isEmpty, count > 0 else { return Array(repeating: pus, count: count) }
        var groups: [Int] = []  // group ordinal of each rank
        for (index, role) in ranks.enumerated() {
            let previous = index > 0 ? ranks[index - 1] : nil
            let same = previous.map { $0.tpGroup == role.tpGroup && $0.dpRank == role.dpRank } ?? false
            groups.append(same ? (groups.last ?? 0) : (groups.last.map { $0 + 1 } ?? 0))
        }
        if count <= cores.count { return pack(groups, into: cores, domains: domains) }
        if count <= pus.count { return pack(groups, into: pus.map { [$0] }, domains: domains) }
        // Oversubscribed: TP groups, in order, spread evenly over the cores.
        let groupCount = (groups.last ?? 0) + 1
        return (0..<count).map { index in
            let core = groupCount >= cores.count ? groups[index] * cores.count / groupCount
                : index * cores.count / count
            return cores[core]
        }
    }

    /// A slot each for ranks of `groups` (group ordinals, in order; slots.count ≥ groups.count),
    /// in slot order, except that a group which would straddle two domains while it fits in one
    /// starts at the next domain, if enough slots remain for the ranks after it.
    static func pack(_ groups: [Int], into slots: [[Int]], domains: [[Int]]) -> [[Int]] {
        let domainOf = slots.map { slot in domains.firstIndex { $0.contains(slot.first ?? -1) } ?? 0 }
        var sizes: [Int: Int] = [:]
        for domain in domainOf { sizes[domain, default: 0] += 1 }
        let largest = sizes.values.max() ?? slots.count
        var out: [[Int]] = []
        var next = 0, start = 0
        while start < groups.count {
            var end = start
            while end < groups.count && groups[end] == groups[start] { end += 1 }
            var free = 0  // slots left in the domain of `next`
            while next + free < slots.count && domainOf[next + free] == domainOf[next] { free += 1 }
            let spare = (slots.count - next) - (groups.count - start)
            if end - start > free && free <= spare && end - start <= largest { next += free }
            for _ in start..<end {
                out.append(slots[next])
                next += 1
            }
            start = end
        }
        return out
    }

    /// Hydra's machinefile: `host:count` lines for consecutive ranks on one host, in rank order.
    public var machinefile: [String] {
        var lines: [(String, Int)] = []
        for entry in entries {
            if let last = lines.last, last.0 == entry.host { lines[lines.count - 1].1 += 1 } else { lines.append((entry.host, 1)) }
        }
        return lines.map { "\($0.0):\($0.1)" }
    }

    /// `rank pu,pu,…` lines, which `tessera emulate --binding` reads.
    public var bindingLines: [String] {
        entries.map { "\($0.role.rank) \($0.pus.map(String.init).joined(separator: ","))" }
    }

    /// Spin while every rank of a host has a PU of its own; wait cooperatively when oversubscribed.
    public static func waitPolicy(ranksOnHost: Int, pus: Int) -> WaitPolicy {
        ranksOnHost <= pus ? .spin : .cooperative
    }
}
