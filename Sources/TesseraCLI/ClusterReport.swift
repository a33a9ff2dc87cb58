import ClusterSpec
import Foundation

/// Text and JSON views of a `ClusterSpec` for `tessera cluster`.
enum ClusterReport {
    static func text(_ spec: ClusterSpec) -> String {
        var lines = ["\(spec.name): \(spec.summary)", "file: \(spec.sourceFile)", ""]
        lines.append("Hierarchy (outermost first; ×N = members in one unit, [N] = units in the cluster)")
        lines += table(hierarchyRows(spec))
        lines += ["", "Totals"]
        lines += table(totalRows(spec))
        lines += ["", "Links per level (bandwidth per direction, per member's attachment)"]
        lines += table(spec.levels.indices.map { linkRow(spec.levels[$0]) })
        return lines.joined(separator: "\n")
    }

    static func json(_ spec: ClusterSpec) throws -> String {
        return String(decoding: try prettyJSON(ClusterJSON(spec)), as: UTF8.self)
    }

    /// One row per level, outermost first, then the chiplet; each indented under its parent.
    private static func hierarchyRows(_ spec: ClusterSpec) -> [[String]] {
        let outerFirst = Array(spec.levels.indices.reversed())
        var rows = outerFirst.enumerated().map { depth, index -> [String] in
            let level = spec.levels[index]
            let role = [index == spec.chipLevel ? "chip" : nil, index == spec.rackLevel ? "rack" : nil].compactMap { $0 }
            return [indent(depth) + "\(level.name) ×\(level.count)", "[\(spec.units(ofLevel: index))]",
                    role.joined(separator: ", "), tiers(level.memory),
                    level.powerW > 0 ? "+\(number(level.powerW)) W each" : ""]
        }
        rows.append([indent(outerFirst.count) + "chiplet \(spec.chiplet.name)", "[\(spec.totalChiplets)]",
                     spec.chipLevel == nil ? "chip" : "", tiers(spec.chiplet.memory), "\(number(spec.chiplet.powerW)) W each"])
        return rows
    }

    private static func totalRows(_ spec: ClusterSpec) -> [[String]] {
        var rows = [["chiplets", "\(spec.totalChiplets)"],
                    ["chips", "\(spec.totalChips) (\(spec.chipUnitName), \(spec.chipletsPerChip) chiplet\(spec.chipletsPerChip == 1 ? "" : "s") each)"],
                    ["racks", "\(spec.racks)" + (spec.rackLevel == nil ? " (no rack level: the whole cluster)" : "")]]
        for (total, share) in zip(spec.memoryTotals, spec.memoryPerChiplet) {
            rows.append(["memory \(total.name)", "\(bytes(total.capacityBytes)) in \(total.instances) × \(total.level), "
                         + "\(bytes(share.capacityBytesPerChiplet)) and \(number(share.bandwidthGBpsPerChiplet)) GB/s per chiplet"])
        }
        for dtype in spec.chiplet.compute.supportedDTypes {
            let tflops = spec.totalPeakTFLOPS(dtype) ?? 0
            rows.append(["peak \(dtype)", "\(number(tflops / 1000)) PFLOPS (\(number(spec.chiplet.compute.peakTFLOPS(dtype) ?? 0)) TFLOPS per chiplet)"])
        }
        rows.append(["power", "\(number(spec.totalPowerW / 1000)) kW (\(number(spec.powerPerRackW / 1000)) kW per rack)"])
        if let cost = spec.totalCostUSD { rows.append(["cost", "$\(number(cost))"]) }
        return rows
    }

    private static func linkRow(_ level: LevelSpec) -> [String] {
        let shape = level.link.dims.map { " " + $0.map(String.init).joined(separator: "×") } ?? ""
        return [level.name, "\(level.link.topology.rawValue)\(shape)", "\(level.count) members",
                "\(number(level.link.bandwidthGBps)) GB/s", "latency \(number(level.link.latencyUs)) µs",
                "overhead \(number(level.link.overheadUs)) µs",
                "\(number(level.link.perLinkBandwidthGBps(memberCount: level.count))) GB/s per link × \(level.link.linksPerMember(memberCount: level.count))"]
    }

    private static func indent(_ depth: Int) -> String {
        depth == 0 ? "" : String(repeating: "   ", count: depth - 1) + "└─ "
    }

    private static func tiers(_ tiers: [MemoryTierSpec]) -> String {
        tiers.map { "\($0.name) \(bytes($0.capacityBytes)) @ \(number($0.bandwidthGBps)) GB/s" }.joined(separator: ", ")
    }

    /// Columns padded to their widest cell; empty trailing cells dropped.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            let cells = row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            return "  " + cells.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
    }

    /// Up to 3 decimals, trailing zeros dropped: 450, 0.688, 214.272.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Decimal units, as vendors quote memory: 80 GB, 250 MB, 20.48 TB.
    static func bytes(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB")]
        let (scale, unit) = units.first { value >= $0.0 } ?? (1, "B")
        return "\(number(value / scale)) \(unit)"
    }
}
