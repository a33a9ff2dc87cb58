import HostTopology
import MessagePassing
import Planner

/// Where each rank of an emulation runs: which host and which PUs.
///
/// Ranks that talk most sit closest. Ranks are ordered by (replica, stage, tensor-parallel group,
/// TP rank), so a TP group is contiguous and its pipeline neighbours follow it; across hosts each
/// host takes whole (replica, stage) blocks. On a host, with ranks ≤ cores, rank i of that order
/// takes core i (cores in hwloc's logical order, so neighbours share an L3 and a NUMA node); with
/// ranks ≤ PUs, PU i (hyperthreads of one core are adjacent); oversubscribed, whole TP groups share
/// a core, spread evenly over the cores.
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
    /// `Topology.puIndicesByCore` gives them; every host is assumed to look the same).
    public init(roles: [Role], hosts: [String], puIndicesByCore cores: [[Int]]) {
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
            for (role, pus) in zip(local, Self.place(local, cores: cores)) {
                byRank[role.rank] = Entry(role: role, host: host, pus: pus)
            }
        }
        entries = roles.map { $0.rank }.sorted().compactMap { byRank[$0] }
    }

    /// PUs for each of `ranks` (already in placement order) on one host.
    static func place(_ ranks: [Role], cores: [[Int]]) -> [[Int]] {
        let count = ranks.count
        let pus = cores.flatMap { $0 }
        guard !cores.isEmpty, count > 0 else { return Array(repeating: pus, count: count) }
        if count <= cores.count { return Array(cores.prefix(count)) }
        if count <= pus.count { return pus.prefix(count).map { [$0] } }
        // Oversubscribed: TP groups, in order, spread evenly over the cores.
        var groups: [Int] = []  // group ordinal of each rank
        for (index, role) in ranks.enumerated() {
            let previous = index > 0 ? ranks[index - 1] : nil
            let same = previous.map { $0.tpGroup == role.tpGroup && $0.dpRank == role.dpRank } ?? false
            groups.append(same ? (groups.last ?? 0) : (groups.last.map { $0 + 1 } ?? 0))
        }
        let groupCount = (groups.last ?? 0) + 1
        return (0..<count).map { index in
            let core = groupCount >= cores.count ? groups[index] * cores.count / groupCount
                : index * cores.count / count
            return cores[core]
        }
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
