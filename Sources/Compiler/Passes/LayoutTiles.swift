/// Layout: each GEMM's weights stored as the chip's native tiles (arrayEdge × arrayEdge blocks,
/// K-major, the order a systolic array or MMA unit consumes them), a fused kernel's weights as one
/// matrix with its members' columns side by side. The cost model prices the layout it assumes
/// (whole tiles streamed once), so this pass moves no time; it fixes what padding and tiling cut.
public struct LayoutTiles: GraphPass {
    public let name = "layout-tiles"
    public let summary = "GEMM weights in the chip's native tiles"
    public init() {}

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        for s in graph.sections.indices {
            for k in graph.sections[s].kernels.indices where graph.sections[s].kernels[k].group.isGEMM {
                let g = graph.sections[s].kernels[k].group
                // Only the matrices side by side; an activation in the epilogue has no weights.
                let matrices = g.names.filter { n in graph.sections[s].ops.contains { $0.name == n && $0.kind.isMatmul } }
                let concat = matrices.count > 1 ? ", N = " + matrices.map(shortName).joined(separator: " | ") : ""
                graph.sections[s].kernels[k].notes.append(
                    "\(name): K×N = \(Int(g.k))×\(Int(g.n)) in \(c.arrayEdge)×\(c.arrayEdge) blocks, K-major\(concat)")
            }
        }
    }
}
