import Foundation

/// A full grid of positive latencies (µs) over sorted positive axes.
///
/// Interpolation is multilinear in log(axis) with log(latency): between grid points a kernel's
/// latency follows a power law in each size (flat while launch-bound, then linear in m or batch,
/// up to quadratic in prefill length), which a log-log line follows exactly and a linear one
/// overestimates by up to a third across an octave of the shipped grids.
struct KernelGrid: Sendable {
    let axes: [[Double]]
    private let logAxes: [[Double]]
    private let values: [Double]  // row-major: the last axis varies fastest
    private let logValues: [Double]
    private let strides: [Int]

    init(axes: [[Double]], values: [Double]) {
        precondition(values.count == axes.reduce(1) { $0 * $1.count }, "grid shape mismatch")
        self.axes = axes
        self.logAxes = axes.map { $0.map(Foundation.log) }
        self.values = values
        self.logValues = values.map(Foundation.log)
        var strides = Array(repeating: 1, count: axes.count)
        for d in stride(from: axes.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * axes[d + 1].count }
        self.strides = strides
    }

    /// The tabled latencies, row-major.
    var latenciesUs: [Double] { values }

    func lowest(_ axis: Int) -> Double { axes[axis][0] }
    func highest(_ axis: Int) -> Double { axes[axis][axes[axis].count - 1] }

    func covers(_ x: Double, axis: Int) -> Bool { x >= lowest(axis) && x <= highest(axis) }

    /// The interpolated latency in µs; every coordinate must lie within its axis. At a grid point
    /// it is the tabled value exactly.
    func latencyUs(at point: [Double]) -> Double {
        var lower = [Int](repeating: 0, count: axes.count)
        var weight = [Double](repeating: 0, count: axes.count)
        for d in axes.indices {
            let axis = axes[d]
            let x = point[d]
            // The last index whose value is ≤ x (binary search; axes are short but sorted).
            var lo = 0
            var hi = axis.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if axis[mid] <= x { lo = mid } else { hi = mid - 1 }
            }
            lower[d] = lo
            if axis[lo] == x || lo == axis.count - 1 {
                weight[d] = 0
            } else {
                weight[d] = (Foundation.log(x) - logAxes[d][lo]) / (logAxes[d][lo + 1] - logAxes[d][lo])
            }
        }
        var sum = 0.0
        for corner in 0..<(1 << axes.count) {
            var w = 1.0
            var index = 0
            for d in axes.indices {
                let upper = corner & (1 << d) != 0
                w *= upper ? weight[d] : 1 - weight[d]
                index += (lower[d] + (upper ? 1 : 0)) * strides[d]
            }
            if w == 1 { return values[index] }
            if w != 0 { sum += w * logValues[index] }
        }
        return Foundation.exp(sum)
    }
}

/// Collects rows per group, in file order, and checks that each group forms a full grid.
struct KernelGridBuilder<Key: Hashable> {
    let file: String
    let axisNames: [String]
    /// Each group's rows, flat: points (axisNames.count values per row), latencies and lines.
    private var groups: [(key: Key, points: [Double], latencyUs: [Double], lines: [Int])] = []
    private var index: [Key: Int] = [:]
    private var last: (key: Key, index: Int)?

    init(file: String, axisNames: [String]) {
        self.file = file
        self.axisNames = axisNames
    }

    mutating func add(_ key: Key, point: [Double], latencyUs: Double, line: Int) {
        let g: Int
        if let last, last.key == key {
            g = last.index  // rows of one group are usually consecutive: skip the hash lookup
        } else if let found = index[key] {
            g = found
        } else {
            g = groups.count
            groups.append((key, [], [], []))
            index[key] = g
        }
        last = (key, g)
        groups[g].points.append(contentsOf: point)
        groups[g].latencyUs.append(latencyUs)
        groups[g].lines.append(line)
    }

    /// One grid per group; `describe` names a group in errors (e.g. "dtype bf16").
    func build(describe: (Key) -> String) throws -> [Key: KernelGrid] {
        var grids: [Key: KernelGrid] = [:]
        let dims = axisNames.count
        // Sorted arrays and binary search rather than a Set and a Dictionary per axis: every
        // emulator rank loads the tables, and hashing made this a sixth of its start-up.
        for (key, points, latencyUs, rowLines) in groups {
            let rows = rowLines.count
            let axes = (0..<dims).map { d in
                var axis = (0..<rows).map { points[$0 * dims + d] }
                axis.sort()
                var unique = 0
                for x in axis where unique == 0 || axis[unique - 1] != x { axis[unique] = x; unique += 1 }
                axis.removeLast(axis.count - unique)
                return axis
            }
            let total = axes.reduce(1) { $0 * $1.count }
            var values = [Double](repeating: .nan, count: total)
            var lines = [Int](repeating: 0, count: total)
            for r in 0..<rows {
                var flat = 0
                for d in 0..<dims { flat = flat * axes[d].count + Self.position(of: points[r * dims + d], in: axes[d]) }
                guard lines[flat] == 0 else {
                    let point = Array(points[(r * dims)..<((r + 1) * dims)])
                    throw KernelTableError(file: file, line: rowLines[r], message:
                        "duplicate row for \(describe(key)) at \(name(point)) (first on line \(lines[flat]))")
                }
                values[flat] = latencyUs[r]
                lines[flat] = rowLines[r]
            }
            if let hole = lines.firstIndex(of: 0) {
                var rest = hole
                var point = [Double](repeating: 0, count: dims)
                for d in (0..<dims).reversed() {
                    point[d] = axes[d][rest % axes[d].count]
                    rest /= axes[d].count
                }
                throw KernelTableError(file: file, message:
                    "\(describe(key)): grid is not full: no row for \(name(point))")
            }
            grids[key] = KernelGrid(axes: axes, values: values)
        }
        return grids
    }

    /// The index of `x` in `axis` (sorted, and holding it).
    private static func position(of x: Double, in axis: [Double]) -> Int {
        var lo = 0, hi = axis.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if axis[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private func name(_ point: [Double]) -> String {
        zip(axisNames, point).map { "\($0) \(formatCoordinate($1))" }.joined(separator: ", ")
    }
}

/// Whole numbers without a decimal point, others as Swift prints them.
func formatCoordinate(_ x: Double) -> String {
    x.rounded() == x && abs(x) < 1e15 ? String(Int(x)) : String(x)
}
