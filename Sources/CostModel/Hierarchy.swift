import ClusterSpec

/// The cluster as the cost model sees it: for each level (inner → outer), how many chiplets one unit
/// holds and what its link costs. Chiplets are numbered so that consecutive indices share the
/// innermost unit; a parallel group is the chiplets `base + k·stride` for `k < size`.
public struct Hierarchy: Sendable {
    public struct Level: Sendable {
        public let name: String
        /// Members (units of the level below, or chiplets for level 0) in one unit of this level.
        public let count: Int
        /// Chiplets in one unit of this level.
        public let chipletsPerUnit: Int
        /// Chiplets that share one member's attachment to this level's fabric.
        public let chipletsPerMember: Int
        public let bandwidthGBps: Double
        public let latencyUs: Double
        public let overheadUs: Double
        /// Alpha of the alpha-beta model: latency plus per-message overhead.
        public let alphaS: Double
        public let topology: LinkTopology
        public let dims: [Int]?
    }

    public let levels: [Level]
    public let totalChiplets: Int

    /// One level's link as a cluster file or a plan states it.
    public struct LinkFigures: Sendable {
        public var name: String
        public var count: Int
        public var bandwidthGBps: Double
        public var latencyUs: Double
        public var overheadUs: Double
        public var topology: LinkTopology
        public var dims: [Int]?
        public init(name: String, count: Int, bandwidthGBps: Double, latencyUs: Double, overheadUs: Double,
                    topology: LinkTopology, dims: [Int]? = nil) {
            self.name = name; self.count = count; self.bandwidthGBps = bandwidthGBps; self.latencyUs = latencyUs
            self.overheadUs = overheadUs; self.topology = topology; self.dims = dims
        }
    }

    public init(_ spec: ClusterSpec) {
        self.init(links: spec.levels.map {
            LinkFigures(name: $0.name, count: $0.count, bandwidthGBps: $0.link.bandwidthGBps, latencyUs: $0.link.latencyUs,
                        overheadUs: $0.link.overheadUs, topology: $0.link.topology, dims: $0.link.dims)
        })
    }

    /// The hierarchy of these links, inner → outer (what a plan carries of its cluster).
    public init(links: [LinkFigures]) {
        var levels: [Level] = []
        var below = 1
        for level in links {
            levels.append(Level(
                name: level.name, count: level.count, chipletsPerUnit: below * level.count,
                chipletsPerMember: below, bandwidthGBps: level.bandwidthGBps,
                latencyUs: level.latencyUs, overheadUs: level.overheadUs,
                alphaS: (level.latencyUs + level.overheadUs) * 1e-6,
                topology: level.topology, dims: level.dims))
            below *= level.count
        }
        self.levels = levels
        self.totalChiplets = below
    }

    /// The innermost level containing chiplets `a` and `b`, whose link a message between them
    /// crosses (the outermost level when they share none).
    @inline(__always)
    public func commonLevel(_ a: Int, _ b: Int) -> Int {
        for (i, l) in levels.enumerated() where a / l.chipletsPerUnit == b / l.chipletsPerUnit { return i }
        return levels.count - 1
    }

    /// How a group of `size` chiplets spaced `stride` apart spreads over the levels: factor `i` is
    /// the number of members of level `i` the group uses inside one unit of level `i`. The product
    /// of the factors is `size` when the group divides the hierarchy evenly. Groups that do not
    /// divide a level sit differently from one to the next (TP 7 on 8-chiplet nodes: 27 of 36
    /// groups span two nodes), so this is the worst group's spread: the one crossing the
    /// outermost level, with the most units there.
    public func factors(stride: Int, size: Int) -> [Int] {
        guard size > 1, !levels.isEmpty else { return [Int](repeating: 1, count: levels.count) }
        let (span, spanOverflow) = stride.multipliedReportingOverflow(by: size)
        // Aligned groups (the group's span and every unit divide one another) all look alike.
        let aligned = spanOverflow || levels.allSatisfy { $0.chipletsPerUnit % span == 0 || span % $0.chipletsPerUnit == 0 }
        let groups = spanOverflow ? 1 : max(1, totalChiplets / span)
        var worst = factors(stride: stride, size: size, base: 0)
        guard !aligned else { return worst }
        for g in 1..<min(groups, 128) {
            let f = factors(stride: stride, size: size, base: g * span)
            if Hierarchy.spread(f) > Hierarchy.spread(worst) { worst = f }
        }
        return worst
    }

    /// How far a spread reaches: its outermost level, then how many units it uses there. The
    /// larger is the worse group, the one the lockstep of all groups waits for.
    public static func spread(_ factors: [Int]) -> (level: Int, units: Int) {
        let o = factors.lastIndex { $0 > 1 } ?? -1
        return (o, o >= 0 ? factors[o] : 0)
    }

    /// The spread of a group on these chiplets (a placed group), as `factors(stride:size:)` gives
    /// it for a regular one: at level i, the units of level i − 1 it touches per unit of level i.
    public func factors(positions: [Int]) -> [Int] {
        var factors = [Int](repeating: 1, count: levels.count)
        var below = Set(positions).count
        for (i, level) in levels.enumerated() {
            let units = Set(positions.map { $0 / level.chipletsPerUnit }).count
            factors[i] = max(1, below / max(units, 1))
            below = units
        }
        return factors
    }

    /// The spread of the one group whose first chiplet is `base`.
    func factors(stride: Int, size: Int, base: Int) -> [Int] {
        var factors = [Int](repeating: 1, count: levels.count)
        var unitsBelow = size  // distinct units of the level below touched (chiplets for level 0)
        for (i, level) in levels.enumerated() {
            let units = distinctUnits(stride: stride, size: size, unitChiplets: level.chipletsPerUnit, base: base)
            factors[i] = max(1, unitsBelow / max(units, 1))
            unitsBelow = units
        }
        return factors
    }

    /// The level whose link a message between chiplets `stride` apart crosses (the innermost level
    /// containing both), or nil when the stride leaves the cluster.
    public func crossingLevel(stride: Int) -> Int? {
        guard stride > 0 else { return nil }
        return factors(stride: stride, size: 2).firstIndex { $0 > 1 }
    }

    /// Distinct units of `unitChiplets` chiplets touched by chiplets `base + k·stride`, `k < size`.
    private func distinctUnits(stride: Int, size: Int, unitChiplets: Int, base: Int = 0) -> Int {
        if base % unitChiplets == 0 {
            if stride % unitChiplets == 0 { return size }
            if unitChiplets % stride == 0 {
                let perUnit = unitChiplets / stride
                return (size + perUnit - 1) / perUnit
            }
        }
        var count = 0, last = -1
        for k in 0..<size {
            let unit = (base + k * stride) / unitChiplets
            if unit != last { count += 1; last = unit }
        }
        return count
    }
}
