import Planner

/// Bounded work (issue 15): a sweep's size, counted from the spec before any layout is built, so a
/// spec of millions of points (level-count lists multiply) is refused with the figure.
extension CapacitySpec {
    /// The default of `tessera capacity --max-points`: the shipped specs have at most a few hundred
    /// points, and a point runs one planner search per length bucket.
    public static let defaultMaxPoints = 10_000

    /// Layouts (every level-count combination × link choice × power budget) × workloads, saturating.
    public var pointCount: Int {
        var layoutCount = 0
        for l in layouts {
            var n = (1 + l.interconnects.count) * max(1, l.rackPowerBudgetsKW.count)
            for (_, counts) in l.levelCounts { n = saturatingProduct(n, counts.count) }
            layoutCount = saturatingSum(layoutCount, n)
        }
        return saturatingProduct(layoutCount, workloads.count)
    }

    /// Throws when `pointCount` passes `limit`, naming the figure and the flag that raises it.
    public func checkSize(maxPoints limit: Int) throws(CapacityError) {
        let n = pointCount
        guard n <= limit else {
            throw CapacityError(file: sourceFile, keyPath: "layouts",
                                message: "expected at most \(limit) points (layouts × workloads; raise it with --max-points), got \(n)")
        }
    }
}

private func saturatingProduct(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : r
}

private func saturatingSum(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : r
}
