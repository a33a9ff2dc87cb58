import Foundation

/// One token's choice of an expert and the weight of its output.
public struct ExpertChoice: Sendable, Equatable {
    public var expert: Int
    public var weight: Float
    public init(expert: Int, weight: Float) {
        self.expert = expert
        self.weight = weight
    }
}

extension Kernels {
    /// Mixtral routing: per row of `logits` (width experts), the top `k` experts by logit (ties to
    /// the lower index), weighted by a softmax over those k logits — the same as softmax over all
    /// then renormalising the top k (HF `MixtralSparseMoeBlock`). Ordered by descending logit.
    public static func routeTopK(_ logits: [Float], experts: Int, k: Int) -> [[ExpertChoice]] {
        (0..<(logits.count / max(experts, 1))).map { row in
            let slice = Array(logits[(row * experts)..<((row + 1) * experts)])
            let chosen = slice.indices.sorted { slice[$0] > slice[$1] || (slice[$0] == slice[$1] && $0 < $1) }.prefix(k)
            let weights = softmax(chosen.map { slice[$0] }, width: chosen.count)
            return zip(chosen, weights).map { ExpertChoice(expert: $0, weight: $1) }
        }
    }
}
