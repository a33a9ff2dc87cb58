/// A parallel dimension of a strategy.
public enum ParallelDim: String, Codable, Sendable, CaseIterable {
    case tp, ep, dp, pp
}

/// How a model is split: tensor (Megatron column/row), expert (attention data-parallel, experts
/// split, as DeepSeek serves V3), data-parallel replicas and pipeline stages. `order` lists the
/// dimensions innermost first; Megatron's order puts TP innermost so its all-reduces stay on the
/// fastest link, PP outermost since it sends least.
public struct Strategy: Hashable, Codable, Sendable, CustomStringConvertible {
    public var tp: Int
    public var pp: Int
    public var dp: Int
    public var ep: Int
    public var order: [ParallelDim]

    public static let megatronOrder: [ParallelDim] = [.tp, .ep, .dp, .pp]

    /// Equality compares every field; the hash folds the order into one word (the planner's
    /// memos look strategies up for every candidate, and hashing the array cost more).
    public func hash(into h: inout Hasher) {
        var code = order.count
        for d in order {
            code = code &* 5 &+ (d == .tp ? 1 : d == .ep ? 2 : d == .dp ? 3 : 4)
        }
        h.combine(tp); h.combine(pp); h.combine(dp); h.combine(ep); h.combine(code)
    }

    public init(tp: Int = 1, pp: Int = 1, dp: Int = 1, ep: Int = 1,
                order: [ParallelDim] = Strategy.megatronOrder) {
        self.tp = tp; self.pp = pp; self.dp = dp; self.ep = ep; self.order = order
    }

    /// Chiplets the whole strategy occupies; one replica is `chipletsPerReplica`. Saturates at
    /// Int.max, so absurd sizes from the command line read as "too many", never as a trap.
    public var chiplets: Int { saturatingProduct(saturatingProduct(tp, pp), saturatingProduct(dp, ep)) }
    public var chipletsPerReplica: Int { saturatingProduct(saturatingProduct(tp, pp), ep) }

    public func size(_ dim: ParallelDim) -> Int {
        switch dim { case .tp: tp; case .ep: ep; case .dp: dp; case .pp: pp }
    }

    /// Distance in chiplet index between neighbours of `dim`: the product of the sizes of the
    /// dimensions mapped inside it.
    public func stride(_ dim: ParallelDim) -> Int {
        var s = 1
        for d in order { if d == dim { return s }; s *= size(d) }
        return s
    }

    public var description: String {
        var s = "TP\(tp) PP\(pp) DP\(dp)"
        if ep > 1 { s += " EP\(ep)" }
        if order != Strategy.megatronOrder { s += " [" + order.map(\.rawValue).joined(separator: ",") + "]" }
        return s
    }
}

@inline(__always)
func saturatingProduct(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : r
}
