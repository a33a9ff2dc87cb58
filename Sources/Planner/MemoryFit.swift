import CostModel

/// What one chiplet keeps in memory, and in which tier each part lives.
public struct MemoryUse: Codable, Sendable, Equatable {
    public struct Tier: Codable, Sendable, Equatable {
        public var name: String
        public var capacityBytes: Double
        public var weightBytes = 0.0
        public var kvCacheBytes = 0.0
        public var activationBytes = 0.0
        public var reserveBytes = 0.0
        public var usedBytes: Double { weightBytes + kvCacheBytes + activationBytes + reserveBytes }
    }
    public var tiers: [Tier]
    /// Weights stay in the innermost tier (weight-stationary, as on Groq, Cerebras and Corsair)
    /// instead of streaming from an outer one every step.
    public var weightStationary: Bool
    public var choice: TierChoice
    /// The first tier whose contents exceed its capacity, if any.
    public var overfullTier: Int? { tiers.firstIndex { $0.usedBytes > $0.capacityBytes } }
    public var fits: Bool { overfullTier == nil }
}

/// Fraction of every tier held back for the runtime (allocator slack, code, buffers). Assumed:
/// vLLM's default `gpu_memory_utilization` of 0.9 leaves 10%; we take half that since
/// activations are counted separately here.
public let runtimeReserveFraction = 0.05

/// Places a chiplet's weights, K/V cache and activations in its tiers, innermost first: weights
/// go in the innermost tier when they fit there with the activations, else they stream from the
/// next; the K/V cache takes the innermost tier with room left, or fills the innermost with any
/// room and overflows to the next. `fits` says whether it all fits.
func placeMemory(weights: Double, kvCache: Double, activations: Double,
                 tiers: [ChipletRates.Tier]) -> MemoryUse {
    var use = tiers.map {
        MemoryUse.Tier(name: $0.name, capacityBytes: $0.capacityBytes,
                       reserveBytes: $0.capacityBytes * runtimeReserveFraction)
    }
    func room(_ i: Int) -> Double { use[i].capacityBytes - use[i].usedBytes }
    // Activations (and, on streaming machines, the tiles of weights) live in the innermost tier.
    use[0].activationBytes = activations
    let w = weights <= room(0) || tiers.count == 1 ? 0 : 1
    use[w].weightBytes = weights
    var choice = TierChoice(weights: w, kvCache: tiers.count - 1, activations: 0)
    if kvCache > room(w), w + 1 < tiers.count, room(w) > 0, kvCache - room(w) <= room(w + 1) {
        // What does not fit overflows to the next tier out, rather than all of it moving there.
        choice.kvCache = w
        choice.kvInnerShare = room(w) / kvCache
        use[w + 1].kvCacheBytes = kvCache - room(w)
        use[w].kvCacheBytes = room(w)
    } else if let kv = (0..<tiers.count).first(where: { $0 >= w && kvCache <= room($0) }) {
        choice.kvCache = kv
        use[kv].kvCacheBytes = kvCache
    } else {
        use[tiers.count - 1].kvCacheBytes = kvCache
    }
    return MemoryUse(tiers: use, weightStationary: w == 0 && tiers.count > 1, choice: choice)
}
