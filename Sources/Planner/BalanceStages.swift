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
    // best[s][j]: minimal max-stage cost of putting the first j layers into s + 1 stages.
    var best = [[Double]](repeating: [Double](repeating: .infinity, count: n + 1), count: stages)
    var cut = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: stages)
    for j in 1...n { best[0][j] = prefix[j] + fixedFirst }
    for s in 1..<stages {
        let extra = s == stages - 1 ? fixedLast : 0
        for j in (s + 1)...n {
            // The last stage takes layers i..<j. Its cost grows as i falls while best[s-1][i]
            // shrinks, so stop once the last stage alone is worse than the best found.
            var i = j - 1
            while i >= s {
                let last = prefix[j] - prefix[i] + extra
                if last >= best[s][j] { break }
                let cost = max(best[s - 1][i], last)
                if cost < best[s][j] { best[s][j] = cost; cut[s][j] = i }
                i -= 1
            }
        }
    }
    var sizes = [Int](repeating: 0, count: stages)
    var j = n
    for s in stride(from: stages - 1, to: 0, by: -1) {
        let i = cut[s][j]
        sizes[s] = j - i
        j = i
    }
    sizes[0] = j
    return sizes
}
