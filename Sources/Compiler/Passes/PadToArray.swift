import Foundation

/// Padding: a GEMM's N and K rounded up to whole array tiles, and its output tiles to whole waves
/// over the chip's compute units; the padded work is computed and thrown away. Before this pass
/// every GEMM is priced on an ideal array (2·M·N·K at the sustained rate); after it, as the chip
/// model pads (wave quantisation where the file gives compute units, measured kernels where it has
/// tables). Chips whose file gives neither an array nor tables carry no padding cost.
public struct PadToArray: GraphPass {
    public let name = "pad-to-array"
    public let summary = "GEMMs to whole array tiles and waves: wasted compute"
    public init() {}

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        let edge = Double(c.arrayEdge)
        for s in graph.sections.indices {
            for k in graph.sections[s].kernels.indices where graph.sections[s].kernels[k].group.isGEMM {
                var g = graph.sections[s].kernels[k].group
                g.unpadded = nil
                graph.sections[s].kernels[k].group = g
                let n = (g.n / edge).rounded(.up) * edge, kk = (g.k / edge).rounded(.up) * edge
                let waste = g.n * g.k > 0 ? n * kk / (g.n * g.k) - 1 : 0
                let waves = c.computeUnits.map { "in waves over \($0) units" }
                let priced = c.measuredKernels ? "as measured where tabled" + (waves.map { ", else \($0)" } ?? "")
                    : waves ?? "not priced: the chip file gives no array"
                graph.sections[s].kernels[k].notes.append(
                    "\(name): N \(Int(g.n))→\(Int(n)), K \(Int(g.k))→\(Int(kk)) (\(String(format: "%.1f", waste * 100))% padded work; \(priced))")
            }
        }
    }
}
