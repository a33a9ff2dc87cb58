import ClusterSpec
import CostModel
import ModelGraph

/// Evaluates candidates against one set of inputs. A class because it memoises the sharded
/// model per (TP, EP) and the stage split per (TP, EP, PP, batch): the search asks for the same
/// ones thousands of times.
public final class Evaluator {
    public let inputs: PlanInputs
    public let hierarchy: Hierarchy
    public let rates: ChipletRates
    /// Sharded models, stage splits and kernel costs: what depends on the chip, the model and the
    /// scenario but not on how many chips there are or how they are linked.
    public internal(set) var memo: EvaluatorMemo

    /// Rewrites each sharded model before it is priced: a compiler pipeline's kernels instead of
    /// the software profile's fusions (set before the first evaluation; nil for the planner).
    public var kernelTransform: ((ModelShard) -> ModelShard)?

    private var groupShapes: [Strategy: Groups] = [:]
    private var collectives: [CollectiveKey: Double] = [:]

    private struct CollectiveKey: Hashable {
        let kind: CollectiveKind; let bytes: Double; let group: GroupShape; let prefillShare: Double
        /// Equality compares every field; the hash skips the group's factor array (its stride and
        /// size nearly always tell groups apart), which costs more to hash than the rest.
        func hash(into h: inout Hasher) {
            h.combine(kind); h.combine(bytes); h.combine(group.stride); h.combine(group.size); h.combine(prefillShare)
        }
    }

    /// Where the strategy's groups sit on the hierarchy, memoised (uneven groups are searched
    /// for their worst placement).
    func groupsOf(_ s: Strategy) -> Groups {
        if let l = lastGroups, l.strategy == s { return l.groups }
        if let known = groupShapes[s] { lastGroups = (s, known); return known }
        let made = Groups(s, hierarchy)
        if groupShapes.count < 1 << 16 { groupShapes[s] = made }
        lastGroups = (s, made)
        return made
    }

    // The last shard, split and groups asked for: the search asks for the same ones for every
    // batch and order in a row, and comparing a few integers costs less than a hash lookup.
    private var lastShard: ModelShard?
    private var lastSplit: (key: EvaluatorMemo.SplitKey, split: StageSplit)?
    private var lastGroups: (strategy: Strategy, groups: Groups)?

    /// One collective's time (tables or the alpha-beta model, plus its launch), memoised.
    func collectiveS(_ kind: CollectiveKind, bytes: Double, group: GroupShape, prefillShare: Double) -> Double {
        let key = CollectiveKey(kind: kind, bytes: bytes, group: group, prefillShare: prefillShare)
        if let known = collectives[key] { return known }
        let t = kind == .allToAll ? rates.allToAllS(bytes: bytes, group: group, on: hierarchy, prefillShare: prefillShare)
            : rates.allReduceS(bytes: bytes, group: group, on: hierarchy, prefillShare: prefillShare)
        if collectives.count < 1 << 20 { collectives[key] = t }
        return t
    }

    /// `layer` (class `id`; −1 head, −2 tail) for `work`, memoised.
    func computeCost(_ layer: LayerShard, id: Int, _ s: Strategy, work: Work, tiers: TierChoice) -> OpCost {
        let key = EvaluatorMemo.CostKey(tp: s.tp, ep: s.ep, layer: id, work: work, tiers: tiers)
        if let known = memo.costs[key] { return known }
        let c = layer.computeCost(work, ep: s.ep, rates: rates, tiers: tiers)
        if memo.costs.count < 1 << 20 { memo.costs[key] = c }
        return c
    }

    /// Throws when the cluster cannot run the scenario's compute dtype at all. `memo` is another
    /// evaluator's, for the same chip rates, model, precision and scenario (a capacity sweep
    /// reuses it across layouts that differ only in level counts, links or prices).
    public init(_ inputs: PlanInputs, memo: EvaluatorMemo = EvaluatorMemo()) throws {
        self.memo = memo
        let sc = inputs.scenario
        for (key, value) in [("inputTokens", sc.inputTokens), ("outputTokens", sc.outputTokens), ("batch", sc.batch ?? 1)]
        where value < 1 || value > PlanError.maxCount {
            throw PlanError.outOfRange(key: key, value: value)
        }
        self.inputs = inputs
        let p = inputs.precision, compute = inputs.computeDType
        let supported = inputs.cluster.chiplet.compute.supportedDTypes
        if !supported.contains(compute.rawValue) {
            let instead = DType.allCases.filter { supported.contains($0.rawValue) && $0.bitsPerElement >= compute.bitsPerElement }
                .min { $0.bitsPerElement < $1.bitsPerElement }
            throw PlanError.unsupportedDType(chip: inputs.cluster.chiplet.name, dtype: compute.rawValue, supported: supported,
                                             flags: [(p.weights, "--weights"), (p.activations, "--activations")]
                                                .filter { $0.0 == compute }.map(\.1),
                                             instead: instead?.rawValue)
        }
        hierarchy = Hierarchy(inputs.cluster)
        rates = try ChipletRates(cluster: inputs.cluster, precision: inputs.precision, software: inputs.software)
        if rates.tiers.isEmpty {
            throw PlanError.noMemory(cluster: inputs.cluster.name)
        }
    }

    public func modelShard(_ shard: Shard) -> ModelShard {
        if let l = lastShard, l.shard == shard { return l }
        if let known = memo.shards[shard] { lastShard = known; return known }
        let planned = ModelShard(model: inputs.model, shard: shard, precision: inputs.precision,
                                 fusions: rates.software.fusions)
        let made = kernelTransform?(planned) ?? planned
        memo.shards[shard] = made
        lastShard = made
        return made
    }

    /// Layers per stage, balanced on the time a batch spends in each layer over its whole life.
    /// The split depends on the batch only through the cost ratio of layer classes (dense vs MoE)
    /// and the end stages' extras, so it is made once per shard and stage count, at the
    /// scenario's batch or a reference batch of 64 (assumed typical), and reused for all batches.
    func stageSplit(_ s: Strategy, batch _: Int, shard: ModelShard) -> StageSplit {
        let key = EvaluatorMemo.SplitKey(tp: s.tp, ep: s.ep, pp: s.pp)
        if let l = lastSplit, l.key == key { return l.split }
        if let known = memo.splits[key] { lastSplit = (key, known); return known }
        let work = balanceWork(batch: max(inputs.scenario.batch ?? 64, s.ep))
        let tiers = TierChoice(weights: rates.tiers.count - 1, kvCache: rates.tiers.count - 1, activations: 0)
        let classCost = shard.classes.map { $0.computeCost(work, ep: s.ep, rates: rates, tiers: tiers).seconds }
        let costs = shard.layerClass.map { classCost[$0] }
        let split = balanceStages(
            costs: costs, stages: s.pp,
            fixedFirst: shard.head.computeCost(work, ep: s.ep, rates: rates, tiers: tiers).seconds,
            fixedLast: shard.tail.computeCost(work, ep: s.ep, rates: rates, tiers: tiers).seconds)
        let made = StageSplit(layers: split, shard: shard)
        memo.splits[key] = made
        lastSplit = (key, made)
        return made
    }

    /// A request batch's whole life in one layer: its prefill plus every decode step, which the
    /// mean context stands for exactly since attention cost is linear in context.
    private func balanceWork(batch: Int) -> Work {
        let sc = inputs.scenario
        let b = Double(batch), steps = Double(max(sc.outputTokens - 1, 0))
        return Work.prefill(sequences: b, tokens: Double(sc.inputTokens))
            + Work.decode(sequences: b, context: meanDecodeContext) * steps
    }

    var meanDecodeContext: Double {
        Double(inputs.scenario.inputTokens) + Double(inputs.scenario.outputTokens) / 2
    }
}

/// An evaluator's memos that depend only on the chip's rates, the model, the precision and the
/// scenario. A value: an evaluator takes a copy and hands back the grown one as `memo`.
public struct EvaluatorMemo: Sendable {
    struct SplitKey: Hashable { let tp, ep, pp: Int }
    struct CostKey: Hashable {
        let tp, ep, layer: Int; let work: Work; let tiers: TierChoice
        /// Equality compares every field; the hash takes the fields that tell keys apart in a
        /// search (shard, class, tokens, context, tiers), about half of them.
        func hash(into h: inout Hasher) {
            h.combine(tp &* 4096 &+ ep &* 8 &+ layer)
            h.combine(work.tokens); h.combine(work.kvPositions); h.combine(work.prefillTokens)
            h.combine(tiers.weights &* 16 &+ tiers.kvCache); h.combine(tiers.kvInnerShare)
        }
    }
    var shards: [Shard: ModelShard] = [:]
    var splits: [SplitKey: StageSplit] = [:]
    /// Kernel costs per layer class and shape of work: the search meets the same (shard, work)
    /// under many pipeline depths, orders and batches, and table lookups are not free.
    var costs: [CostKey: OpCost] = [:]
    struct StagesKey: Hashable { let tp, ep, pp, batch, cachedTokens: Int }
    struct RunningKey: Hashable { let tp, ep, pp, cap: Int }
    /// Memory per stage and the running batch of continuous batching: both depend on TP, EP, PP
    /// and the batch alone, and the search asks again for every order and every rack count.
    var stages: [StagesKey: StageMemories] = [:]
    var running: [RunningKey: Int?] = [:]
    public init() {}
}

/// Memory of one chiplet in each stage, with the fullest stage (the first of equals) and whether
/// every stage fits.
struct StageMemories: Sendable {
    let stages: [MemoryUse]
    let fullest: Int
    let allFit: Bool
    /// Consecutive stages that cost the same (the first and the last stage each alone).
    let runs: [StageRun]
}

struct StageRun: Sendable {
    let first: Int
    var count: Int
}

/// Layers per pipeline stage, and how many layers of each class each stage holds (stage costs
/// are sums over classes, so the search never walks layers one by one).
struct StageSplit: Sendable {
    let layers: [Int]
    let classCounts: [[Int]]
    /// For each stage, the first stage with the same class counts: stages of one shape cost the same.
    let shapes: [Int]

    init(layers: [Int], shard: ModelShard) {
        self.layers = layers
        var first = 0
        let classCounts = layers.map { count in
            var counts = [Int](repeating: 0, count: shard.classes.count)
            for l in first..<(first + count) { counts[shard.layerClass[l]] += 1 }
            first += count
            return counts
        }
        self.classCounts = classCounts
        var firstOfShape: [[Int]: Int] = [:]
        shapes = classCounts.indices.map { i in
            if let known = firstOfShape[classCounts[i]] { return known }
            firstOfShape[classCounts[i]] = i
            return i
        }
    }
}

/// Errors that stop a plan before any candidate is evaluated.
public enum PlanError: Error, CustomStringConvertible, Equatable {
    case noMemory(cluster: String)
    case nothingToSearch(String)
    case outOfRange(key: String, value: Int)
    /// The chip has no rate for a dtype the precision asks for. `flags` are where that dtype came
    /// from (`--weights`, `--activations`); `instead` the nearest wider dtype the chip has.
    case unsupportedDType(chip: String, dtype: String, supported: [String], flags: [String], instead: String?)

    /// Largest token count or batch a scenario may give: far past any real context or batch,
    /// small enough that products of them stay exact in Int and Double.
    public static let maxCount = 100_000_000

    public var description: String {
        switch self {
        case .outOfRange(let key, let value):
            "scenario \(key) is \(value); expected a whole number from 1 to \(PlanError.maxCount)"
        case .noMemory(let c): "cluster \(c) declares no memory tier, so nothing can be placed"
        case let .unsupportedDType(chip, dtype, supported, flags, instead):
            "\(chip) has no \(dtype) (it has \(supported.joined(separator: ", ")))"
                + (instead.map { d in "; pass " + flags.map { "\($0) \(d)" }.joined(separator: " ") } ?? "")
                + ", or choose a cluster whose chip has \(dtype)"
        case .nothingToSearch(let why): why
        }
    }
}
