import Planner

/// Tiling: each weighted op's K × N shard cut into the largest aligned tiles whose weights plus
/// a decode microbatch's rows fit half the on-chip buffer (the other half holds the next tile:
/// see the schedule pass). The planner's own tiling rule (`tile`), so tile counts and padding
/// waste equal the plan's. The program gets one compute instruction group per op from it.
public struct TileToMemory: GraphPass {
    public let name = "tile-memory"
    public let summary = "weights cut into tiles that fit half the on-chip buffer"
    public init() {}

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        for s in graph.sections.indices {
            for op in graph.sections[s].ops where op.kind.isMatmul && op.weightBytes > 0 {
                let n = op.outFeatures / max(op.tpDivisor, 1)
                graph.sections[s].tilings[op.name] = tile(
                    k: op.inFeatures, n: max(n, 1), fullN: op.outFeatures, tp: op.tpDivisor, rows: max(c.decodeRows, 1),
                    weightBytes: c.weightBytesPerElement, activationBytes: c.activationBytesPerElement, bufferBytes: c.bufferBytes)
            }
            for k in graph.sections[s].kernels.indices {
                let tilings = graph.sections[s].kernels[k].group.names.compactMap { graph.sections[s].tilings[$0] }
                guard let first = tilings.first else { continue }
                let tiles = tilings.reduce(0) { $0 + $1.tiles }
                graph.sections[s].kernels[k].notes.append(
                    "\(name): \(tiles) tile\(tiles == 1 ? "" : "s") of ≤ \(first.tileK)×\(first.tileN) in \(bytesText(c.bufferBytes / 2))")
            }
        }
    }
}
