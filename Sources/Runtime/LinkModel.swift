import CostModel
import ClusterSpec
import Planner

/// The links of the plan's hierarchy as the emulator's queues see them. The topology facts
/// (which level a message crosses, each level's α, the share of a member's attachment a chiplet
/// gets) are `CostModel.Hierarchy`'s, built from the plan's levels; the emulator adds only the
/// queues (`LinkQueues`), so that how messages wait behind each other comes out of the run.
public struct LinkModel: Sendable {
    public struct Level: Sendable {
        public var name: String
        public var chipletsPerUnit: Int
        /// Latency plus per-message overhead.
        public var alphaS: Double
        /// One chiplet's port onto this level: its share of the member attachment.
        public var bytesPerS: Double

        public init(name: String, chipletsPerUnit: Int, alphaS: Double, bytesPerS: Double) {
            self.name = name; self.chipletsPerUnit = chipletsPerUnit; self.alphaS = alphaS; self.bytesPerS = bytesPerS
        }
    }

    public let levels: [Level]
    /// The hierarchy the levels come from.
    public let hierarchy: Hierarchy
    /// The chiplet each role runs on (`Plan.positions`); empty: role i on chiplet i.
    public private(set) var positions: [Int] = []
    /// Whether a placement put the roles (then a group's links come from where its members are).
    public var placed: Bool { !positions.isEmpty }
    /// A failed chiplet's role on its spare from virtual time `atS` on (`--fail`).
    public var failover: (role: Int, chiplet: Int, atS: Double)?

    /// Links given per chiplet port (tests): the hierarchy whose shares they are.
    public init(levels: [Level]) {
        self.levels = levels
        var below = 1
        hierarchy = Hierarchy(links: levels.map { l in
            defer { below = l.chipletsPerUnit }
            return Hierarchy.LinkFigures(name: l.name, count: l.chipletsPerUnit / below,
                                         bandwidthGBps: l.bytesPerS * Double(below) / 1e9, latencyUs: l.alphaS * 1e6,
                                         overheadUs: 0, topology: .switch)
        })
    }

    public init(_ plan: Plan) {
        let h = plan.hierarchy
        hierarchy = h
        if plan.placement != nil { positions = plan.positions }
        levels = h.levels.indices.map { i in
            Level(name: h.levels[i].name, chipletsPerUnit: h.levels[i].chipletsPerUnit, alphaS: h.levels[i].alphaS,
                  bytesPerS: h.sharedBytesPerS(i))
        }
    }

    /// The same links with role i on chiplet `offset + i` for `roles` roles (a decode pool
    /// placed beside a prefill pool); itself when `offset` is 0.
    public func shifted(by offset: Int, roles: Int) -> LinkModel {
        guard offset != 0 else { return self }
        var m = self
        m.positions = (0..<roles).map { position($0) + offset }
        return m
    }

    /// The innermost level containing both chiplets, whose link a message between them crosses
    /// (the outermost level when they share none).
    @inline(__always)
    public func level(_ a: Int, _ b: Int, atS: Double = 0) -> Int {
        hierarchy.commonLevel(position(a, atS: atS), position(b, atS: atS))
    }

    /// The chiplet role `role` runs on at virtual time `atS`.
    @inline(__always)
    public func position(_ role: Int, atS: Double = 0) -> Int {
        if let f = failover, f.role == role, atS >= f.atS { return f.chiplet }
        return role < positions.count ? positions[role] : role
    }
}
