/// A plan held inside another (a struct cannot hold itself directly); encodes as the plan.
public final class PlanBox: Codable, Sendable {
    public let plan: Plan
    public init(_ plan: Plan) { self.plan = plan }
    public init(from decoder: Decoder) throws { plan = try decoder.singleValueContainer().decode(Plan.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(plan)
    }
}

/// Prefill and decode on separate pools (Splitwise, Patel et al. 2024; DistServe, Zhong et al.
/// 2024), as a plan file states it: the outer plan is one decode replica, `prefill` one prefill
/// replica; each request's K/V cache moves from the one to the other after its prompt.
public struct DisaggregatedPools: Codable, Sendable {
    /// One prefill replica's plan (its own strategy, stages and chiplets 0 ..< its count).
    public var prefill: PlanBox
    /// The cluster chiplet the decode replica's chiplet 0 sits on: the pools sit side by side,
    /// prefill first, as the planner's K/V transfer assumes.
    public var decodeFirstChiplet: Int
    /// The planner's K/V transfer time per request (a prediction: the emulator never reads it).
    public var predictedKVTransferMs: Double
}

extension Evaluator {
    /// One prefill replica and one decode replica of fixed shapes, as a plan the emulator runs:
    /// the decode replica's plan carrying the prefill replica's. Predicted TTFT is the prefill
    /// pass plus the K/V transfer; TPOT the decode replica's. Nil with the reason when either
    /// shape is infeasible or both do not fit the cluster side by side.
    public func disaggregatedPlan(prefill: Candidate, decode: Candidate) -> (plan: Plan?, reason: String?) {
        guard prefill.strategy.dp == 1, decode.strategy.dp == 1, prefill.strategy.ep == 1, decode.strategy.ep == 1 else {
            return (nil, "a disaggregated plan holds one replica of each pool without expert parallelism (dp 1, ep 1)")
        }
        let cp = prefill.strategy.chiplets, cd = decode.strategy.chiplets
        guard cp + cd <= hierarchy.totalChiplets else {
            return (nil, "the pools need \(cp) + \(cd) chiplets; the cluster has \(hierarchy.totalChiplets)")
        }
        let pe = evaluate(prefill), de = evaluate(decode)
        guard let p = plan(pe) else { return (nil, "prefill pool: \(pe.reason ?? "infeasible")") }
        guard var d = plan(de) else { return (nil, "decode pool: \(de.reason ?? "infeasible")") }
        let transferMs = kvTransferS(prefillChiplets: cp, decodeChiplets: cd) * 1000
        d.disaggregation = DisaggregatedPools(prefill: PlanBox(p), decodeFirstChiplet: cp, predictedKVTransferMs: transferMs)
        d.predicted.ttftMs = p.predicted.ttftMs + transferMs
        return (d, nil)
    }
}
