/// Re-shaping a layout, for the capacity planner's sweeps (chips per node, nodes per rack, racks).
extension ClusterSpec {
    /// A copy with the named levels' counts replaced, e.g. `["node": 4, "cluster": 16]`.
    /// A 2D mesh or torus whose count changes gets the most square grid for the new count
    /// (a prime count becomes a 1 × n line).
    public func scaled(levelCounts: [String: Int]) throws -> ClusterSpec {
        var copy = self
        for (name, count) in levelCounts.sorted(by: { $0.key < $1.key }) {
            guard let index = levelIndex(named: name) else {
                throw ClusterSpecError(file: sourceFile, keyPath: "levels",
                                       message: "no level named \(name); expected one of \(levels.map(\.name).joined(separator: ", "))")
            }
            guard count > 0, count <= Self.maxLevelCount else {
                throw ClusterSpecError(file: sourceFile, keyPath: "levels[\(index)].count",
                                       message: "expected a whole number from 1 to \(Self.maxLevelCount) (2^20), got \(count)")
            }
            copy.levels[index].count = count
            if copy.levels[index].link.dims != nil {
                copy.levels[index].link.dims = Self.squarestGrid(count)
            }
        }
        try Self.checkTotal(copy.levels, file: sourceFile, keyPath: "levels")
        return copy
    }

    /// [x, y] with x × y = count, x ≤ y and x as large as possible.
    static func squarestGrid(_ count: Int) -> [Int] {
        let x = stride(from: Int(Double(count).squareRoot()), through: 1, by: -1).first { count % $0 == 0 } ?? 1
        return [x, count / x]
    }
}
