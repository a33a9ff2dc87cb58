/// Figures derived from the hierarchy: counts, per-chiplet memory shares, totals.
extension ClusterSpec {
    /// Chiplets in ONE unit of `levels[index]` (1 for index -1, the chiplet itself).
    public func chiplets(inLevel index: Int) -> Int {
        levels.prefix(max(0, index + 1)).reduce(1) { $0 * $1.count }
    }

    /// How many units of `levels[index]` the whole cluster has.
    public func units(ofLevel index: Int) -> Int {
        totalChiplets / max(1, chiplets(inLevel: index))
    }

    public var totalChiplets: Int { chiplets(inLevel: levels.count - 1) }

    public var chipletsPerChip: Int { chipLevel.map { chiplets(inLevel: $0) } ?? 1 }

    public var totalChips: Int { totalChiplets / max(1, chipletsPerChip) }

    /// Racks in the cluster; 1 when the file names no rack level.
    public var racks: Int { rackLevel.map { units(ofLevel: $0) } ?? 1 }

    /// What one chip is called: `chiplet` or the name of the chip level.
    public var chipUnitName: String { chipLevel.map { levels[$0].name } ?? "chiplet" }

    /// One tier as seen by one chiplet: a shared tier divided evenly by the chiplets sharing it.
    public struct TierShare: Sendable, Equatable, Encodable {
        public var name: String
        /// `chiplet` or the name of the level the tier belongs to.
        public var level: String
        /// How many chiplets share one instance of the tier.
        public var sharedBy: Int
        public var capacityBytesPerChiplet: Double
        public var bandwidthGBpsPerChiplet: Double
        public var bandwidthEfficiency: Double
    }

    /// Every tier from one chiplet's view, innermost first (SRAM before HBM/LPDDR).
    public var memoryPerChiplet: [TierShare] {
        tiersByLevel.flatMap { level, sharedBy, tiers in
            tiers.map {
                TierShare(name: $0.name, level: level, sharedBy: sharedBy,
                          capacityBytesPerChiplet: $0.capacityBytes / Double(sharedBy),
                          bandwidthGBpsPerChiplet: $0.bandwidthGBps / Double(sharedBy),
                          bandwidthEfficiency: $0.bandwidthEfficiency)
            }
        }
    }

    /// One tier summed over the whole cluster.
    public struct TierTotal: Sendable, Equatable, Encodable {
        public var name: String
        public var level: String
        /// How many instances of the tier the cluster has.
        public var instances: Int
        public var capacityBytes: Double
        public var bandwidthGBps: Double
    }

    /// Every tier summed over the cluster, innermost first.
    public var memoryTotals: [TierTotal] {
        tiersByLevel.flatMap { level, sharedBy, tiers in
            tiers.map {
                let instances = totalChiplets / sharedBy
                return TierTotal(name: $0.name, level: level, instances: instances,
                                 capacityBytes: $0.capacityBytes * Double(instances),
                                 bandwidthGBps: $0.bandwidthGBps * Double(instances))
            }
        }
    }

    /// Peak of the whole cluster for `dtype`, nil when the chiplet has no figure for it.
    public func totalPeakTFLOPS(_ dtype: String) -> Double? {
        chiplet.compute.peakTFLOPS(dtype).map { $0 * Double(totalChiplets) }
    }

    /// Chiplets plus every level's own overhead, over the whole cluster.
    public var totalPowerW: Double {
        levels.indices.reduce(chiplet.powerW * Double(totalChiplets)) {
            $0 + levels[$1].powerW * Double(units(ofLevel: $1))
        }
    }

    public var powerPerRackW: Double { totalPowerW / Double(max(1, racks)) }

    /// Chiplets plus levels, nil when the file gives no cost at all (absent level costs count as 0).
    public var totalCostUSD: Double? {
        guard chiplet.costUSD != nil || levels.contains(where: { $0.costUSD != nil }) else { return nil }
        return levels.indices.reduce((chiplet.costUSD ?? 0) * Double(totalChiplets)) {
            $0 + (levels[$1].costUSD ?? 0) * Double(units(ofLevel: $1))
        }
    }

    /// (level name, chiplets sharing one instance, tiers) from the chiplet outwards.
    private var tiersByLevel: [(String, Int, [MemoryTierSpec])] {
        [("chiplet", 1, chiplet.memory)] + levels.indices.map {
            (levels[$0].name, max(1, chiplets(inLevel: $0)), levels[$0].memory)
        }
    }
}

/// Bounded work (issue 15): a level of 1e9 chiplets hung the search and 2^62 trapped in the
/// products of counts, so sizes are checked where a cluster is read or reshaped.
extension ClusterSpec {
    /// The most units one level may hold: 2^20, past any machine built.
    public static let maxLevelCount = 1 << 20
    /// The most chiplets a whole cluster may hold: 2^24 (16,777,216, some 230,000 NVL72 racks);
    /// a plan keeps one entry per chiplet, so larger clusters would cost gigabytes before any search.
    public static let maxChiplets = 1 << 24

    /// Throws when the product of the level counts passes `maxChiplets` (checked, so it cannot trap).
    static func checkTotal(_ levels: [LevelSpec], file: String, keyPath: String) throws {
        var total = 1
        for level in levels {
            let (t, overflow) = total.multipliedReportingOverflow(by: level.count)
            guard !overflow, t <= maxChiplets else {
                throw ClusterSpecError(file: file, keyPath: keyPath, message: "expected at most \(maxChiplets) (2^24) chiplets in all, "
                    + "got level counts \(levels.map { String($0.count) }.joined(separator: " × "))")
            }
            total = t
        }
    }
}
