/// Layout: each GEMM's weights stored as the chip's native tiles (arrayEdge × arrayEdge blocks,
/// K-major, the order a systolic array or MMA unit consumes them), a fused kernel's weights as one
/// matrix with its members' columns side by side. The cost model prices the layout it assumes
/// (whole tiles streamed once), so this pass moves no time; it fixes what padding and tiling cut.
public struct LayoutTiles: GraphPass {
    public let name = "layout-tiles"
    public let summary = "GEMM weights as the chip's native tiles, fused matrices concatenated along N"
    public init() {}

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        for s in graph.sections.indices {
            for k in graph.sections[s].kernels.indices where graph.sections[s].kernels[k].group.isGEMM {
                let g = graph.sections[s].kernels[k].group
                let concat = g.names.count > 1 ? ", N = " + g.names.map(shortName).joined(separator: " | ") : ""
                graph.sections[s].kernels[k].notes.append(
                    "\(name): K×N = \(Int(g.k))×\(Int(g.n)) in \(c.arrayEdge)×\(c.arrayEdge) blocks, K-major\(concat)")
            }
        }
    }
}
