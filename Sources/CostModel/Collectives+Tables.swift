/// Collectives priced from the chip's measured tables when the whole group sits inside the
/// innermost level (one NVLink domain, where the tables were measured), from the hierarchical
/// alpha-beta model otherwise; each is one more kernel launch.
extension ChipletRates {
    public func allReduceS(bytes: Double, group: GroupShape, on hierarchy: Hierarchy, prefillShare: Double) -> Double {
        collectiveS(.allReduce, bytes: bytes, group: group, prefillShare: prefillShare) { hierarchy.allReduceS(bytes: bytes, group: group) }
    }

    public func allToAllS(bytes: Double, group: GroupShape, on hierarchy: Hierarchy, prefillShare: Double) -> Double {
        collectiveS(.allToAll, bytes: bytes, group: group, prefillShare: prefillShare) { hierarchy.allToAllS(bytes: bytes, group: group) }
    }

    private func collectiveS(_ kind: CollectiveKind, bytes: Double, group: GroupShape, prefillShare: Double,
                             analytical: () -> Double) -> Double {
        guard group.size > 1, bytes > 0 else { return 0 }
        let tabled = group.outermostLevel == 0 ? kernels?.collectiveS(kind, bytes: bytes, ranks: group.size) : nil
        return (tabled ?? analytical()) + software.launchUs(prefillShare: prefillShare) * 1e-6
    }
}
