import Planner

/// The alpha-beta link model of the plan's hierarchy, with the planner's sharing convention: a
/// level's bandwidth is per member attachment, split between the chiplets under that member
/// (Sources/CostModel/Collectives.swift, `sharedBytesPerS`), so emulation and prediction agree
/// when nothing queues.
public struct LinkModel: Sendable {
    public struct Level: Sendable {
        public var name: String
        public var chipletsPerUnit: Int
        /// Latency plus per-message overhead.
        public var alphaS: Double
        /// This chiplet's share of the member attachment.
        public var bytesPerS: Double

        public init(name: String, chipletsPerUnit: Int, alphaS: Double, bytesPerS: Double) {
            self.name = name; self.chipletsPerUnit = chipletsPerUnit; self.alphaS = alphaS; self.bytesPerS = bytesPerS
        }
    }

    public let levels: [Level]

    public init(levels: [Level]) { self.levels = levels }

    public init(_ plan: Plan) {
        levels = plan.levels.map { l in
            let perMember = max(1, l.chipletsPerUnit / max(l.count, 1))
            return Level(name: l.name, chipletsPerUnit: l.chipletsPerUnit,
                         alphaS: (l.latencyUs + l.overheadUs) * 1e-6,
                         bytesPerS: l.bandwidthGBps * 1e9 / Double(perMember))
        }
    }

    /// The innermost level containing both chiplets, whose link a message between them crosses
    /// (the outermost level when they share none).
    @inline(__always)
    public func level(_ a: Int, _ b: Int) -> Int {
        for (i, l) in levels.enumerated() where a / l.chipletsPerUnit == b / l.chipletsPerUnit { return i }
        return levels.count - 1
    }

    /// Unloaded time of one message: α + bytes/β.
    public func messageS(bytes: Double, from a: Int, to b: Int) -> Double {
        let l = levels[level(a, b)]
        return l.alphaS + bytes / l.bytesPerS
    }
}
