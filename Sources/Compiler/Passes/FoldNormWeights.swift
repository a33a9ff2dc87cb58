/// Folds an RMSNorm's learned scale γ into the matrix that reads its output: x/rms(x)·diag(γ)·W =
/// x/rms(x)·W' with W' = diag(γ)·W, computed once at compile time. Exact in real arithmetic (W'
/// rounds differently in a narrow dtype), and only where every reader of the norm is that kind of
/// matrix product: the op right after the norm must be a projection. The norm kernel then reads
/// no γ and does one FLOP per element less. Opt-in: no shipped serving stack folds it, and the
/// default pipeline must price what the profiles describe.
public struct FoldNormWeights: GraphPass {
    public let name = "fold-norm-weights"
    public let summary = "opt-in: RMSNorm γ folded into the next projection"
    public var enabledByDefault: Bool { false }
    public init() {}

    /// RMSNorm's FLOPs per element (square, sum, scale by 1/rms, scale by γ: ModelGraph's 4).
    static let rmsFLOPsPerElement = 4.0

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        for s in graph.sections.indices {
            let ops = graph.sections[s].ops
            for (i, op) in ops.enumerated() where op.kind == .norm || op.kind == .finalNorm {
                let d = Double(max(op.tpDivisor, 1))
                // LayerNorm's β would need a bias on the reader; RMS only (4 FLOPs per element).
                let rms = op.inFeatures > 0 && abs(op.flopsPerToken * d / Double(op.inFeatures) - Self.rmsFLOPsPerElement) < 1e-9
                guard rms, op.weightBytes > 0, i + 1 < ops.count, ops[i + 1].kind.isMatmul, !ops[i + 1].kind.isAttention,
                      let k = graph.sections[s].kernelIndex(of: op.name) else { continue }
                let readers = ops[(i + 1)...].prefix { $0.kind.isMatmul && !$0.kind.isAttention }.map(\.name)
                graph.sections[s].kernels[k].group.weightBytes -= op.weightBytes
                graph.sections[s].kernels[k].group.vectorFLOPsPerToken -= op.flopsPerToken / Self.rmsFLOPsPerElement
                graph.sections[s].kernels[k].notes.append(
                    "\(name): γ of \(shortName(op.name)) (\(bytesText(op.weightBytes))) folded into \(readers.map(shortName).joined(separator: ", "))")
            }
        }
    }
}
