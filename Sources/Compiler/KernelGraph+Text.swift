import CostModel
import Foundation

extension KernelGraph {
    /// The graph as `--print-after` shows it: each section with its run count, each kernel with
    /// its kind, the ops it runs, its shape and weights on one chiplet, and what passes decided.
    public var text: String {
        var lines: [String] = []
        for s in sections {
            lines.append("\(s.name) (×\(s.layers)): \(s.ops.count) ops, \(s.kernels.count) kernels")
            for (i, k) in s.kernels.enumerated() {
                let g = k.group
                var shape = ""
                switch g.kind {
                case .gemm, .lmHead, .expertGEMM:
                    shape = "  N=\(Int(g.n)) K=\(Int(g.k))" + (g.kind == .expertGEMM ? " experts \(g.expertsHere)/\(g.experts) top\(g.topK)" : "")
                        + (g.unpadded == true ? " unpadded" : "")
                case .attention:
                    shape = "  heads=\(g.heads) kv=\(g.kvHeads) d=\(g.headDim)" + (g.window.map { " window \(Int($0))" } ?? "")
                case .vector:
                    break
                }
                let weights = g.weightBytes > 0 ? "  weights \(bytesText(g.weightBytes))" : ""
                lines.append("  k\(i) \(g.kind.rawValue) [\(g.names.map(shortName).joined(separator: ", "))]\(shape)\(weights)")
                for n in k.notes { lines.append("      \(n)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// "layers.0.self_attn.q_proj" → "self_attn.q_proj": every layer of a class has the same ops.
func shortName(_ name: String) -> String {
    guard name.hasPrefix("layers."), let dot = name.dropFirst(7).firstIndex(of: ".") else { return name }
    return String(name[name.index(after: dot)...])
}
