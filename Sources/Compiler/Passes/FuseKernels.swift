import CostModel

/// Fusion: the kernels the serving stack's profile lists (q/k/v as one GEMM, gate and up as one,
/// the activation in the GEMM's epilogue, rotary inside attention, the residual add with the next
/// norm). The grouping rule is the cost model's own (`KernelGroup.build`), the one the planner
/// prices with, so the default pipeline reproduces the plan's prediction. Fewer kernels cost
/// fewer launches and fused intermediates skip memory.
public struct FuseKernels: GraphPass {
    public let name = "fuse-kernels"
    public let summary = "the profile's fusions (qkv, gate+up, epilogue, rotary, norm)"
    public init() {}

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        for s in graph.sections.indices {
            let section = graph.sections[s], ops = section.ops
            let groups = KernelGroup.build(ops, fusions: c.fusions, kvHeads: c.kvHeads, mla: c.mla)
            var kernels = groups.map { KernelGraph.Kernel(group: $0) }
            // What earlier passes decided for an op carries over to the kernel that now runs it
            // (a rotary fused into attention: to the next kernel that runs anything).
            func home(_ op: String) -> Int? {
                guard let i = ops.firstIndex(where: { $0.name == op }) else { return nil }
                return ops[i...].lazy.compactMap { o in groups.firstIndex { $0.names.contains(o.name) } }.first
            }
            for old in section.kernels {
                guard let first = old.group.names.first, let h = home(first) else { continue }
                kernels[h].notes += old.notes
                if old.group.unpadded == true && kernels[h].group.isGEMM { kernels[h].group.unpadded = true }
            }
            for k in kernels.indices where kernels[k].group.names.count > 1 {
                kernels[k].notes.append("\(name): \(kernels[k].group.names.map(shortName).joined(separator: " + ")) as one kernel")
            }
            graph.sections[s].kernels = kernels
        }
    }
}
