import CostModel

/// Why a plan cannot be placed on the free chiplets: one line a user can act on.
public struct PlacementError: Error, CustomStringConvertible, Equatable {
    public var description: String
}

/// Just-in-time placement: binds a plan's roles to usable chiplets so that each group the
/// planner put on the fastest link (TP, or EP when it sits inside TP) stays on the fastest link
/// the free set still offers.
///
/// 1. A group whose ideal chiplets (role i on chiplet i) are all usable keeps them.
/// 2. Every other group, in role order, goes to the innermost unit with room for all of it (the
///    first such unit, so consecutive groups, which share pipelines and replicas, stay close),
///    and inside that unit to as few sub-units as hold it (`FreeChiplets.take`).
/// The work is a few passes over the units per group: 1,152 roles bind in well under a ms.
public enum Placer {
    /// The chiplet of each role, or why the usable chiplets cannot hold the plan.
    public static func place(_ plan: Plan, on h: Hierarchy, usable: [Bool]) throws(PlacementError) -> [Int] {
        let n = plan.chiplets.count
        let have = usable.lazy.filter { $0 }.count
        guard have >= n else {
            throw PlacementError(description: "the plan has \(n) roles but only \(have) of the cluster's \(h.totalChiplets) chiplets are free and usable (\(n - have) short)")
        }
        var free = FreeChiplets(h, usable: usable)
        var position = [Int](repeating: -1, count: n)
        var moved: [[Int]] = []
        for group in atoms(plan) {
            if group.allSatisfy({ $0 < usable.count && free.isFree($0) }) {
                for r in group { position[r] = r; free.take(r) }
            } else {
                moved.append(group)
            }
        }
        for group in moved {
            // Unreachable: the count above leaves room for every group at the cluster level.
            guard let (level, unit) = free.home(for: group.count) else {
                throw PlacementError(description: "no room left for a group of \(group.count) roles")
            }
            var got: [Int] = []
            free.take(group.count, level: level, unit: unit, into: &got)
            for (r, c) in zip(group, got) { position[r] = c }
        }
        return position
    }

    /// The groups placed whole: TP groups, or EP groups when the mapping order puts EP inside
    /// TP (or TP is 1), or single roles. A role listed in two groups of a hand-edited plan goes
    /// with the first, so every role is placed exactly once.
    static func atoms(_ plan: Plan) -> [[Int]] {
        let s = plan.strategy
        let dim = s.order.first { ($0 == .tp || $0 == .ep) && s.size($0) > 1 }
        var seen = [Bool](repeating: false, count: plan.chiplets.count), out: [[Int]] = []
        for c in plan.chiplets where !seen[c.index] {
            let members = dim == .tp ? c.tpGroup : dim == .ep ? c.epGroup : [c.index]
            let group = ([c.index] + members).filter { m in
                guard !seen[m] else { return false }
                seen[m] = true
                return true
            }.sorted()
            out.append(group)
        }
        return out
    }

    /// The usable chiplet nearest `chiplet` (innermost shared unit, then lowest id): where a
    /// failed chiplet's role goes. The same search as a moved group's (`FreeChiplets`).
    public static func spare(near chiplet: Int, on h: Hierarchy, usable: [Bool]) -> Int? {
        var free = FreeChiplets(h, usable: usable)
        for (level, l) in h.levels.enumerated() where free.count(level: level, unit: chiplet / l.chipletsPerUnit) > 0 {
            var got: [Int] = []
            free.take(1, level: level, unit: chiplet / l.chipletsPerUnit, into: &got)
            return got.first
        }
        return nil
    }

    /// Where the placed groups sit, for pricing: the worst TP and EP group and the outermost
    /// level a pipeline send crosses.
    public static func groups(_ plan: Plan, positions: [Int], on h: Hierarchy) -> Groups {
        let s = plan.strategy
        func worst(_ members: (Plan.Chiplet) -> [Int], size: Int, dim: ParallelDim) -> GroupShape {
            var f = [Int](repeating: 1, count: h.levels.count)
            if size > 1 {
                for c in plan.chiplets {
                    let g = h.factors(positions: members(c).map { positions[$0] })
                    if Hierarchy.spread(g) > Hierarchy.spread(f) { f = g }
                }
            }
            return GroupShape(stride: s.stride(dim), size: size, factors: f)
        }
        var pp: Int? = nil
        for c in plan.chiplets {
            if let next = c.nextStage { pp = max(pp ?? 0, h.commonLevel(positions[c.index], positions[next])) }
        }
        return Groups(tp: worst(\.tpGroup, size: s.tp, dim: .tp), ep: worst(\.epGroup, size: s.ep, dim: .ep), ppLevel: pp)
    }
}

/// Free chiplets and, per level, the free count of every unit, so finding room is a scan of
/// counts, not of chiplets.
struct FreeChiplets {
    let h: Hierarchy
    private var free: [Bool]
    private var counts: [[Int]]

    init(_ h: Hierarchy, usable: [Bool]) {
        self.h = h
        free = (0..<h.totalChiplets).map { $0 < usable.count && usable[$0] }
        counts = h.levels.map { l in
            var c = [Int](repeating: 0, count: h.totalChiplets / l.chipletsPerUnit)
            for (i, f) in usable.prefix(h.totalChiplets).enumerated() where f { c[i / l.chipletsPerUnit] += 1 }
            return c
        }
    }

    func isFree(_ chiplet: Int) -> Bool { free[chiplet] }

    /// Free chiplets in `unit` of `level` (level −1: the chiplet itself).
    func count(level: Int, unit: Int) -> Int { level < 0 ? (free[unit] ? 1 : 0) : counts[level][unit] }

    mutating func take(_ chiplet: Int) {
        free[chiplet] = false
        for (i, l) in h.levels.enumerated() { counts[i][chiplet / l.chipletsPerUnit] -= 1 }
    }

    /// The innermost level with a unit that has `n` free chiplets, and its first such unit.
    func home(for n: Int) -> (level: Int, unit: Int)? {
        for level in counts.indices {
            if let unit = counts[level].firstIndex(where: { $0 >= n }) { return (level, unit) }
        }
        return nil
    }

    /// Takes `n` free chiplets of `unit` of `level`, in as few sub-units as hold them: the first
    /// sub-unit with room for all, else the fullest sub-units first.
    mutating func take(_ n: Int, level: Int, unit: Int, into out: inout [Int]) {
        guard n > 0 else { return }
        if level < 0 { out.append(unit); take(unit); return }
        let members = h.levels[level].count, first = unit * members
        let children = first..<(first + members)
        if let whole = children.first(where: { count(level: level - 1, unit: $0) >= n }) {
            take(n, level: level - 1, unit: whole, into: &out)
            return
        }
        var need = n
        let fullestFirst = children.map { (child: $0, free: count(level: level - 1, unit: $0)) }
            .sorted { ($0.free, -$0.child) > ($1.free, -$1.child) }.map(\.child)
        for child in fullestFirst where need > 0 {
            let k = min(need, count(level: level - 1, unit: child))
            take(k, level: level - 1, unit: child, into: &out)
            need -= k
        }
    }
}
