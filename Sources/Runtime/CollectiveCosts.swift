import CostModel
import Planner

/// What a collective costs on a chip beyond moving its messages over the links, read from the
/// chip's measured collective tables (the chip model, as `TilePricer` reads its kernel tables),
/// never from the plan's predicted times. Two figures per collective kind and group size, where
/// the group sits in the innermost level (the NVLink domain the tables were measured in):
/// - a fixed cost per collective (kernel launch inside the library, peer synchronisation): the
///   measured time of the smallest message less what the emulated links take for it unloaded.
///   NCCL's all-to-all of 4 GB200s takes 10.7 µs for 512 bytes, the links 3.5 µs.
/// - the share of a link's rated bandwidth the library achieves: the measured bus bandwidth of the
///   largest message (NCCL's definition: all-reduce moves 2(p−1)/p of the buffer through each
///   port, all-to-all (p−1)/p) against the port's rate. The collective's wire times stretch by it.
/// The bytes still cross the queued links step by step, so contention comes out of the run;
/// messages between the sizes fall where the two figures put them, not where the table does.
struct CollectiveCosts: Sendable {
    struct Cost: Sendable, Equatable {
        var fixedS = 0.0
        var wireScale = 1.0
    }

    var allReduceTP = Cost()
    var allToAllEP = Cost()

    init() {}

    init(plan: Plan, link: LinkModel) {
        guard let chip = plan.chip, let tables = (try? ChipletRates(figures: chip, source: "plan"))?.kernels,
              let first = plan.chiplets.first else { return }
        allReduceTP = Self.measured(.allReduce, group: first.tpGroup, link: link, tables: tables) ?? Cost()
        allToAllEP = Self.measured(.allToAll, group: first.epGroup, link: link, tables: tables) ?? Cost()
    }

    /// The factor on wire times of a message sent for `purpose`.
    @inline(__always)
    func wireScale(_ purpose: Purpose) -> Double {
        switch purpose {
        case .allReduceTP: allReduceTP.wireScale
        case .allToAllEP: allToAllEP.wireScale
        default: 1
        }
    }

    /// The two figures of `kind` over `group` (chiplet indices); nil when the group leaves the
    /// innermost level or the tables do not have its size.
    static func measured(_ kind: CollectiveKind, group: [Int], link: LinkModel, tables: KernelTables) -> Cost? {
        let p = group.count
        guard p > 1 else { return nil }
        let h = link.hierarchy
        let shape = GroupShape(stride: group[1] - group[0], size: p, factors: h.factors(positions: group.map { link.position($0) }))
        guard shape.outermostLevel == 0, let smallS = tables.collectiveS(kind, bytes: 0, ranks: p) else { return nil }
        // Past its largest message a table scales linearly: the largest message's bandwidth.
        let huge = 1e15
        guard let hugeS = tables.collectiveS(kind, bytes: huge, ranks: p), hugeS > 0 else { return nil }
        let share = Double(p - 1) / Double(p) * (kind == .allReduce ? 2 : 1)
        let busBytesPerS = share * huge / hugeS
        let portBytesPerS = link.levels[0].bytesPerS
        // The emulated collective's smallest message unloaded: all-to-all posts every share at
        // once (one latency); all-reduce runs the algorithm the lowering picks.
        let tiny = 1.0
        let linksS = kind == .allReduce ? h.allReduceS(bytes: tiny, group: shape) : link.levels[0].alphaS
        return Cost(fixedS: max(0, smallS - linksS), wireScale: max(1, portBytesPerS / busBytesPerS))
    }
}
