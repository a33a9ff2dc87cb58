import ClusterSpec

/// The `--json` shape of `tessera cluster`: the spec as read plus every derived figure.
struct ClusterJSON: Encodable {
    struct Level: Encodable {
        var name: String
        var count: Int
        /// Units of this level in the whole cluster.
        var units: Int
        var chipletsPerUnit: Int
        var link: LinkSpec
        var memory: [MemoryTierSpec]
        var powerW: Double
        var costUSD: Double?
    }

    struct Totals: Encodable {
        var memory: [ClusterSpec.TierTotal]
        var peakTFLOPS: [String: Double]
        var powerW: Double
        var powerPerRackW: Double
        var costUSD: Double?
    }

    var name: String
    var description: String
    var file: String
    var chiplets: Int
    var chips: Int
    var chipletsPerChip: Int
    var chipUnit: String
    var racks: Int
    var rackLevel: String?
    var chiplet: ChipletSpec
    /// Inner → outer, as in the file.
    var levels: [Level]
    var memoryPerChiplet: [ClusterSpec.TierShare]
    var totals: Totals

    init(_ spec: ClusterSpec) {
        name = spec.name
        description = spec.summary
        file = spec.sourceFile
        chiplets = spec.totalChiplets
        chips = spec.totalChips
        chipletsPerChip = spec.chipletsPerChip
        chipUnit = spec.chipUnitName
        racks = spec.racks
        rackLevel = spec.rackLevel.map { spec.levels[$0].name }
        chiplet = spec.chiplet
        levels = spec.levels.indices.map { index in
            let level = spec.levels[index]
            return Level(name: level.name, count: level.count, units: spec.units(ofLevel: index),
                         chipletsPerUnit: spec.chiplets(inLevel: index), link: level.link,
                         memory: level.memory, powerW: level.powerW, costUSD: level.costUSD)
        }
        memoryPerChiplet = spec.memoryPerChiplet
        let dtypes = spec.chiplet.compute.supportedDTypes
        totals = Totals(memory: spec.memoryTotals,
                        peakTFLOPS: Dictionary(uniqueKeysWithValues: dtypes.map { ($0, spec.totalPeakTFLOPS($0) ?? 0) }),
                        powerW: spec.totalPowerW, powerPerRackW: spec.powerPerRackW, costUSD: spec.totalCostUSD)
    }
}
