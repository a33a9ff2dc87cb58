import Foundation

extension Kernels {
    /// Causal attention of `tokens` new query rows against a KV cache that already holds them.
    ///
    /// - `q`: tokens × (queryHeads.count · headDim), the queries of global heads `queryHeads`.
    /// - `keys`, `values`: positions × (kvHeads.count · headDim), the cache of global KV heads `kvHeads`.
    /// - Query row t sits at position `positions − tokens + t` and attends to positions 0...that.
    /// - GQA: query head h reads KV head h / `groupSize` (`groupSize` = heads / kvHeads, Ainslie et al. 2023).
    /// Scores and the weighted sum are in Double; returns tokens × (queryHeads.count · headDim).
    public static func attention(q: [Float], tokens: Int, queryHeads: Range<Int>, keys: [Float], values: [Float],
                                 positions: Int, kvHeads: Range<Int>, headDim: Int, groupSize: Int) -> [Float] {
        let qWidth = queryHeads.count * headDim, kvWidth = kvHeads.count * headDim
        precondition(q.count == tokens * qWidth && keys.count == positions * kvWidth && values.count == keys.count,
                     "attention: q \(q.count), keys \(keys.count), values \(values.count) do not fit \(tokens) tokens, \(positions) positions")
        let scale = 1 / Double(headDim).squareRoot()
        var out = [Float](repeating: 0, count: tokens * qWidth)
        var scores = [Double](repeating: 0, count: positions)
        var context = [Double](repeating: 0, count: headDim)
        for t in 0..<tokens {
            let last = positions - tokens + t
            for (localHead, head) in queryHeads.enumerated() {
                let kvHead = head / groupSize
                precondition(kvHeads.contains(kvHead), "attention: head \(head) needs KV head \(kvHead), not in \(kvHeads)")
                let qBase = t * qWidth + localHead * headDim
                let kvOffset = (kvHead - kvHeads.lowerBound) * headDim
                var top = -Double.infinity
                for p in 0...last {
                    var dot = 0.0
                    for d in 0..<headDim { dot += Double(q[qBase + d]) * Double(keys[p * kvWidth + kvOffset + d]) }
                    scores[p] = dot * scale
                    top = max(top, scores[p])
                }
                var sum = 0.0
                for p in 0...last {
                    scores[p] = exp(scores[p] - top)
                    sum += scores[p]
                }
                for d in 0..<headDim { context[d] = 0 }
                for p in 0...last {
                    let weight = scores[p] / sum
                    for d in 0..<headDim { context[d] += weight * Double(values[p * kvWidth + kvOffset + d]) }
                }
                for d in 0..<headDim { out[qBase + d] = Float(context[d]) }
            }
        }
        return out
    }
}

/// The K and V of some KV heads for one sequence in one layer: positions × width each, row-major.
public struct KVCache: Sendable, Equatable {
    /// KV-head elements per position: heads held × headDim.
    public let width: Int
    public private(set) var keys: [Float] = []
    public private(set) var values: [Float] = []

    public init(width: Int) { self.width = width }

    public var positions: Int { width == 0 ? 0 : keys.count / width }

    /// Appends `tokens` rows of K and V (already rotated).
    public mutating func append(keys newKeys: [Float], values newValues: [Float]) {
        precondition(newKeys.count == newValues.count && newKeys.count % max(width, 1) == 0,
                     "KVCache.append: \(newKeys.count) keys, \(newValues.count) values for width \(width)")
        keys += newKeys
        values += newValues
    }
}
