import CostModel
import Planner

/// Prices a chiplet's compute tiles where they run: each tile's kernel and shape through the
/// chip model the planner uses (`ChipletRates` rebuilt from the plan's chip figures, measured
/// kernel tables where the chip has them), never the plan's predicted op times. A kernel is
/// priced whole (tables measure whole kernels) and a tile range gets its share of it.
struct TilePricer {
    let rates: ChipletRates
    let tiers: TierChoice
    let ep: Int
    let kernels: [KernelGroup]
    /// Last price of each kernel per phase, with the context it was priced at: a layer's kernels
    /// repeat in every layer of a step, and only decode's context changes between steps.
    private var last: [[(context: Double, seconds: Double)]]

    init(plan: Plan, program: Program) throws {
        guard let chip = plan.chip else {
            throw LowerError(description: "plan has no chip figures; write it again with `tessera plan -o`")
        }
        rates = try ChipletRates(figures: chip, source: "plan")
        tiers = plan.memory.choice
        ep = plan.strategy.ep
        kernels = program.kernels
        last = [[(Double, Double)]](repeating: [(context: Double, seconds: Double)](repeating: (-1, 0), count: kernels.count),
                                    count: 2)
    }

    /// Virtual seconds of instruction `c` for a request stream's iteration of `work` (mixed
    /// prefill chunks and decode tokens; priced afresh, since every iteration differs).
    func seconds(_ c: Compute, work: Work) -> Double {
        let k = Int(c.kernel)
        guard k >= 0, k < kernels.count else { return c.seconds }
        let full = kernels[k].cost(work, ep: ep, rates: rates, tiers: tiers).seconds
        return c.seconds + full * Double(c.tileCount) / Double(max(c.tiles, 1))
    }

    /// Virtual seconds of instruction `c` at decode step `step`.
    @inline(__always)
    mutating func seconds(_ c: Compute, step: Int) -> Double {
        let k = Int(c.kernel)
        guard k >= 0, k < kernels.count, let shape = c.shape else { return c.seconds }
        let context = shape.context + Double(c.phase == .decode ? step : 0)
        let p = c.phase.index
        var full = last[p][k].seconds
        if last[p][k].context != context {
            full = kernels[k].cost(shape.work(step: step), ep: ep, rates: rates, tiers: tiers).seconds
            last[p][k] = (context, full)
        }
        return c.seconds + full * Double(c.tileCount) / Double(max(c.tiles, 1))
    }
}
