/// Splits layers into contiguous pipeline stages so the slowest stage is as fast as it can be:
/// the min-max linear partition, solved by dynamic programming over layers as Alpa (Zheng et al.
/// 2022, §5) and PipeDream (Narayanan et al. 2019, §3.1) do. Returns the layer count per stage.
///
/// `costs` holds one cost per layer; `fixedFirst`/`fixedLast` are the extra costs the first and
/// last stage carry (embedding, LM head), so uneven splits move layers off the end stages.
public func balanceStages(costs: [Double], stages: Int,
                          fixedFirst: Double = 0, fixedLast: Double = 0) -> [Int] {
    let n = costs.count
    guard stages > 1, n >= stages else { return stages == 1 ? [n] : [] }
    var prefix = [Double](repeating: 0, count: n + 1)
    for i in 0..<n { prefix[i + 1] = prefix[i] + costs[i] }
    // best[s·(n+1) + j]: minimal max-stage cost of the first j layers in s + 1 stages; flat
    // arrays since this runs once per (TP, EP, PP) of every search.
    let width = n + 1
    var best = [Double](repeating: .infinity, count: stages * width)
    var cut = [Int](repeating: 0, count: stages * width)
    for j in 1...n { best[j] = prefix[j] + fixedFirst }
    for s in 1..<stages {
        let extra = s == stages - 1 ? fixedLast : 0
        var i = s  // the last stage takes layers i..<j; the best i never moves left as j grows
        for j in (s + 1)...n {
            if i > j - 1 { i = j - 1 }
            func cost(_ i: Int) -> Double { max(best[(s - 1) * width + i], prefix[j] - prefix[i] + extra) }
            // cost(i) is V-shaped in i (the first term grows with i, the second shrinks), so walk
            // right while it does not get worse.
            while i + 1 <= j - 1 && cost(i + 1) <= cost(i) { i += 1 }
            best[s * width + j] = cost(i)
            cut[s * width + j] = i
        }
    }
    var sizes = [Int](repeating: 0, count: stages)
    var j = n
    for s in stride(from: stages - 1, to: 0, by: -1) {
        let i = cut[s * width + j]
        sizes[s] = j - i
        j = i
    }
    sizes[0] = j
    return sizes
}
