/// Constant folding: rotary embeddings' cos/sin depend only on the position, so they are a table
/// computed at compile time (max positions × head size / 2 of each), not per token. The graph
/// already counts rotary as the table form (3 FLOPs per element: two multiplies and an add), so
/// this pass moves no time; it states the constant the program carries.
public struct FoldConstants: GraphPass {
    public let name = "fold-constants"
    public let summary = "rotary cos/sin computed once as a constant table"
    public init() {}

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        // cos and sin for each position and each rotated pair, in the activations' dtype.
        let tableBytes = 2 * Double(c.maxPositions) * Double(c.headDim / 2) * c.activationBytesPerElement
        for s in graph.sections.indices {
            for op in graph.sections[s].ops where op.kind == .rotary {
                guard let k = graph.sections[s].kernelIndex(of: op.name) else { continue }
                graph.sections[s].kernels[k].notes.append(
                    "\(name): \(shortName(op.name)) reads cos/sin from a constant table of \(c.maxPositions) positions × \(c.headDim / 2) "
                        + "(\(bytesText(tableBytes)))")
            }
        }
    }
}

/// "16 KiB", "3.5 MiB".
func bytesText(_ b: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = b, i = 0
    while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
    return i == 0 ? "\(Int(v)) B" : String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[i])
}
