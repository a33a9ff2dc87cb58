import ClusterSpec

/// One concrete layout of a sweep: a chip kind reshaped, with one link choice and power budget.
public struct Layout: Sendable {
    /// Unique within the sweep, e.g. `nvl72 rack=72 cluster=2 link=ib-xdr ≤132kW`.
    public var name: String
    public var spec: LayoutSpec
    /// "rack=72 cluster=2": the level counts this layout sets, inner to outer.
    public var shape: String
    /// The interconnect choice's name, or "as-file".
    public var interconnect: String
    public var rackPowerBudgetKW: Double?
    public var cluster: ClusterSpec

    public var chipsPerRack: Int { cluster.totalChips / max(1, cluster.racks) }
    public var rackPowerKW: Double { cluster.powerPerRackW / 1000 }
    /// Chips plus the rack's own capex.
    public var capexPerRackUSD: Double { Double(chipsPerRack) * spec.capexPerChipUSD + spec.capexPerRackUSD }
}

extension LayoutSpec {
    /// Every level-count combination × interconnect (the file's own first) × budget, in a fixed order:
    /// outer loops over levels in the spec's order, counts in the order given.
    func expand(base: ClusterSpec) throws -> [Layout] {
        var shapes: [[(String, Int)]] = [[]]
        for (level, counts) in levelCounts {
            guard base.levelIndex(named: level) != nil else {
                throw CapacityError(file: base.sourceFile, keyPath: "levels",
                                    message: "layout \(name) sweeps level \(level), which the cluster lacks; it has \(base.levels.map(\.name).joined(separator: ", "))")
            }
            shapes = shapes.flatMap { prefix in counts.map { prefix + [(level, $0)] } }
        }
        let links: [InterconnectChoice?] = [nil] + interconnects.map { $0 }
        let budgets: [Double?] = rackPowerBudgetsKW.isEmpty ? [nil] : rackPowerBudgetsKW.map { $0 }
        var out: [Layout] = []
        for shape in shapes {
            let cluster = try base.scaled(levelCounts: Dictionary(shape, uniquingKeysWith: { $1 }))
            let shapeText = shape.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            for link in links {
                var linked = cluster
                if let link {
                    guard let i = linked.levelIndex(named: link.level) else {
                        throw CapacityError(file: base.sourceFile, keyPath: "levels",
                                            message: "interconnect \(link.name) replaces the link of level \(link.level), which the cluster lacks")
                    }
                    if let bw = link.bandwidthGBps { linked.levels[i].link.bandwidthGBps = bw }
                    if let lat = link.latencyUs { linked.levels[i].link.latencyUs = lat }
                }
                for budget in budgets {
                    var parts = [name]
                    if !shapeText.isEmpty { parts.append(shapeText) }
                    if let link { parts.append("link=\(link.name)") }
                    if let budget { parts.append("≤\(Self.trim(budget))kW") }
                    out.append(Layout(name: parts.joined(separator: " "), spec: self, shape: shapeText,
                                      interconnect: link?.name ?? "as-file", rackPowerBudgetKW: budget, cluster: linked))
                }
            }
        }
        return out
    }

    /// 132 → "132", 13.5 → "13.5".
    static func trim(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
}
