import ClusterSpec

/// A parallel group placed on the hierarchy: `size` chiplets spaced `stride` apart, with the
/// factor it spans at each level (see `Hierarchy.factors`).
public struct GroupShape: Hashable, Sendable {
    public let stride: Int
    public let size: Int
    public let factors: [Int]

    public init(stride: Int, size: Int, in hierarchy: Hierarchy) {
        self.stride = stride
        self.size = size
        self.factors = hierarchy.factors(stride: stride, size: size)
    }

    /// The outermost level the group crosses, or nil for a group of one.
    public var outermostLevel: Int? { factors.lastIndex { $0 > 1 } }
}

/// How an all-reduce runs: ring reduce-scatter + all-gather, binomial tree, or one-shot push.
public enum AllReduceAlgorithm: Sendable { case ring, tree, oneShot }

/// Collective costs with the alpha-beta model per level (Hockney 1994: t = α + n/β), hierarchical
/// algorithms across levels (reduce-scatter inward → outward, all-gather back, as NCCL's and
/// Megatron's 2D all-reduce do), and link sharing: every chiplet under one member of a level sends
/// at once, so they split that member's attachment bandwidth.
extension Hierarchy {
    /// Effective per-chiplet bandwidth in bytes/s across level `i` when all chiplets communicate.
    @inline(__always)
    public func sharedBytesPerS(_ i: Int) -> Double {
        levels[i].bandwidthGBps * 1e9 / Double(levels[i].chipletsPerMember)
    }

    /// Ring reduce-scatter (or all-gather, same cost) of `bytes` per chiplet over `f` members of
    /// level `i`: (f−1)·α + (f−1)/f · n/β (Thakur, Rabenseifner & Gropp 2005).
    @inline(__always)
    func ringStepS(_ i: Int, members f: Int, bytes: Double) -> Double {
        let fd = Double(f)
        return (fd - 1) * levels[i].alphaS + (fd - 1) / fd * bytes / sharedBytesPerS(i)
    }

    /// Reduce-scatter of `bytes` per chiplet (each ends with bytes/size), hierarchically.
    public func reduceScatterS(bytes: Double, group: GroupShape) -> Double {
        var t = 0.0, data = bytes
        for (i, f) in group.factors.enumerated() where f > 1 {
            t += ringStepS(i, members: f, bytes: data)
            data /= Double(f)
        }
        return t
    }

    /// All-gather to `bytes` per chiplet (each starts with bytes/size); mirror of reduce-scatter.
    public func allGatherS(bytes: Double, group: GroupShape) -> Double {
        reduceScatterS(bytes: bytes, group: group)
    }

    /// All-reduce of `bytes` per chiplet: the cheapest of the hierarchical ring (reduce-scatter
    /// then all-gather), a binomial tree over the whole group (reduce, then broadcast), which wins
    /// for small messages: 2·⌈log2 p⌉·(α + n/β) (Thakur, Rabenseifner & Gropp 2005), and, where
    /// every member reaches every other directly, a one-shot push. The emulator lowers exactly
    /// these, so prediction and emulation price the same steps.
    public func allReduceS(bytes: Double, group: GroupShape) -> Double {
        guard group.size > 1 else { return 0 }
        return min(2 * reduceScatterS(bytes: bytes, group: group), treeAllReduceS(bytes: bytes, group: group),
                   oneShotAllReduceS(bytes: bytes, group: group) ?? .infinity)
    }

    /// The binomial tree's all-reduce, 2·⌈log2 p⌉·(α + n/β) on the group's outermost level.
    func treeAllReduceS(bytes: Double, group: GroupShape) -> Double {
        guard let outer = group.outermostLevel else { return 0 }
        let steps = Double(Int.bitWidth - (group.size - 1).leadingZeroBitCount)
        return 2 * steps * (levels[outer].alphaS + bytes / sharedBytesPerS(outer))
    }

    /// One-shot all-reduce: each member pushes its whole buffer to every other and adds what it
    /// receives, one latency and (p−1)·n through its port: α + (p−1)·n/β (TensorRT-LLM's custom
    /// all-reduce for small messages over NVLink peer access, `oneShotAllReduceKernel`). Only
    /// within one switched level, where a member's one port reaches every peer (NVSwitch, PCIe);
    /// full meshes of compiler-scheduled chips keep the ring and tree their fitted figures assume.
    func oneShotAllReduceS(bytes: Double, group: GroupShape) -> Double? {
        guard let outer = group.outermostLevel, group.factors.filter({ $0 > 1 }).count == 1,
              levels[outer].topology == .switch else { return nil }
        return levels[outer].alphaS + Double(group.size - 1) * bytes / sharedBytesPerS(outer)
    }

    /// The algorithm `allReduceS` takes for this message (the emulator lowers the same choice).
    public func allReduceAlgorithm(bytes: Double, group: GroupShape) -> AllReduceAlgorithm {
        guard group.size > 1 else { return .ring }
        let ring = 2 * reduceScatterS(bytes: bytes, group: group), tree = treeAllReduceS(bytes: bytes, group: group)
        if let one = oneShotAllReduceS(bytes: bytes, group: group), one < min(ring, tree) { return .oneShot }
        return tree < ring ? .tree : .ring
    }

    /// All-to-all where each chiplet holds `bytes` spread evenly over the group's members. The
    /// share crossing level i goes at that level's bandwidth, slowed on rings and meshes by their
    /// bisection (uniform traffic: a ring of f carries f/4 times a switch's load per link).
    public func allToAllS(bytes: Double, group: GroupShape) -> Double {
        guard group.size > 1 else { return 0 }
        var t = 0.0, inner = 1
        for (i, f) in group.factors.enumerated() where f > 1 {
            let crossing = bytes * Double((f - 1) * inner) / Double(group.size)
            t += Double(f - 1) * levels[i].alphaS
                + crossing * bisectionFactor(i, members: f) / sharedBytesPerS(i)
            inner *= f
        }
        return t
    }

    /// Point-to-point of `bytes` between chiplets `stride` apart, all chiplets sending at once.
    public func pointToPointS(bytes: Double, stride: Int) -> Double {
        guard let i = crossingLevel(stride: stride) else { return 0 }
        return levels[i].alphaS + bytes / sharedBytesPerS(i)
    }

    private func bisectionFactor(_ i: Int, members f: Int) -> Double {
        let level = levels[i]
        let longest = Double(level.dims?.max() ?? f)
        switch level.topology {
        case .switch, .fullMesh: return 1
        case .ring: return max(1, Double(f) / 4)
        case .torus2D: return max(1, longest / 4)
        case .mesh2D: return max(1, longest / 2)
        }
    }
}
