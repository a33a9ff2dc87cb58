import CostModel
import Planner

/// Why a plan cannot be lowered.
public struct LowerError: Error, CustomStringConvertible {
    public var description: String
}

/// Lowering: Plan → one Program per emulated chiplet. The runtime never re-plans: tiles,
/// kernels and their shapes, collectives and bytes come from the plan; the times of kernels do
/// not (each rank prices its tiles, `TilePricer`).
public enum Lowering {
    /// At most this many compute instructions per op per microbatch; an op with more tiles gets
    /// them in contiguous groups (the times add up exactly), which keeps a 70B decode step at a
    /// few thousand instructions per chiplet.
    public static let maxComputeInstructionsPerOp = 4

    /// Chiplets that get a program, in rank order: all, or the replica with dpRank 0.
    public static func emulatedChiplets(_ plan: Plan, oneReplica: Bool) -> [Int] {
        plan.chiplets.filter { !oneReplica || $0.dpRank == 0 }.map(\.index)
    }

    /// Op names shared by every program: head, tail, then each layer class with the
    /// `layers.N.` prefix dropped (`Compute.layer` says which layer).
    public static func opTable(_ plan: Plan) -> [String] {
        func generic(_ name: String) -> String {
            guard name.hasPrefix("layers."), let dot = name.dropFirst(7).firstIndex(of: ".") else { return name }
            return String(name[name.index(after: dot)...])
        }
        return (plan.head.ops + plan.tail.ops + plan.layerClasses.flatMap(\.ops)).map { generic($0.name) }
            + ["software step", "collective launch", "collective sync"]
    }

    public static func lower(plan: Plan, oneReplica: Bool = false, decodeSteps: Int? = nil) throws -> [Program] {
        try validate(plan)
        let lowerer = PlanLowerer(plan: plan)
        let steps = stepCount(plan, decodeSteps)
        return emulatedChiplets(plan, oneReplica: oneReplica).map { lowerer.program(plan.chiplets[$0], decodeSteps: steps) }
    }

    /// The program of one chiplet (what each rank of a distributed run lowers for itself).
    public static func program(plan: Plan, chiplet: Int, decodeSteps: Int? = nil) throws -> Program {
        try validate(plan)
        guard chiplet >= 0, chiplet < plan.chiplets.count else {
            throw LowerError(description: "chiplet \(chiplet) is not in the plan, which has \(plan.chiplets.count)")
        }
        return PlanLowerer(plan: plan).program(plan.chiplets[chiplet], decodeSteps: stepCount(plan, decodeSteps))
    }

    /// Decode steps run: the scenario's output tokens − 1, or fewer when capped.
    public static func stepCount(_ plan: Plan, _ cap: Int?) -> Int {
        min(max(cap ?? .max, 0), max(plan.scenario.outputTokens - 1, 0))
    }

    static let collectives: Set<String> = ["allReduce:tp", "allToAll:ep"]

    static func validate(_ plan: Plan) throws {
        if plan.chip == nil || ([plan.head, plan.tail] + plan.layerClasses).contains(where: { $0.kernels == nil }) {
            throw LowerError(description: "plan has no chip figures or kernel shapes (written before the emulator priced "
                + "its own tiles); write it again with `tessera plan -o`")
        }
        guard plan.prefillMicrobatches == plan.decodeMicrobatches else {
            throw LowerError(description: "plan has \(plan.prefillMicrobatches) prefill and \(plan.decodeMicrobatches) decode "
                + "microbatches; the emulator returns each microbatch's tokens to the first stage, so they must be equal")
        }
        for (i, c) in plan.chiplets.enumerated() where c.index != i {
            throw LowerError(description: "plan.chiplets[\(i)] has index \(c.index); expected \(i)")
        }
        for c in plan.chiplets where c.stage >= plan.stages.count {
            throw LowerError(description: "chiplet \(c.index) is in stage \(c.stage); the plan has \(plan.stages.count) stages")
        }
        for (where_, cls) in [("head", plan.head), ("tail", plan.tail)] + plan.layerClasses.enumerated().map({ ("layerClasses[\($0)]", $1) }) {
            for op in cls.ops {
                // Tile numbers are Int32 in a Program; 2^20 is far past any planner's tiling.
                guard op.tiling.tiles <= 1 << 20 else {
                    throw LowerError(description: "plan.\(where_) op \(op.name): tiling.tiles: expected at most 1048576 (2^20), got \(op.tiling.tiles)")
                }
                for name in op.collectivesAfter where !collectives.contains(name) {
                    throw LowerError(description: "plan.\(where_) op \(op.name): unknown collective \"\(name)\"; expected one of \(collectives.sorted())")
                }
            }
        }
    }
}

/// Builds the program of one chiplet.
struct PlanLowerer {
    let plan: Plan
    let link: LinkModel
    let ops: [String]
    /// Index of the first op of the head, the tail and each layer class in `ops`.
    let headBase = 0
    let tailBase: Int
    let classBase: [Int]
    /// The plan's kernels (head, tail, classes) and where each class's start.
    let kernels: [KernelGroup]
    let headKernels = 0
    let tailKernels: Int
    let classKernels: [Int]
    /// Each collective's fixed cost from the chip's measured tables (`CollectiveCosts`).
    let collectiveCosts: CollectiveCosts
    /// The software ops at the end of the op table.
    var stepOp: Int { ops.count - 3 }
    var launchOp: Int { ops.count - 2 }
    var syncOp: Int { ops.count - 1 }

    init(plan: Plan) {
        self.plan = plan
        link = LinkModel(plan)
        collectiveCosts = CollectiveCosts(plan: plan, link: link)
        ops = Lowering.opTable(plan)
        tailBase = plan.head.ops.count
        var bases: [Int] = [], next = plan.head.ops.count + plan.tail.ops.count
        for c in plan.layerClasses { bases.append(next); next += c.ops.count }
        classBase = bases
        let head = plan.head.kernels ?? [], tail = plan.tail.kernels ?? []
        var all = head + tail, starts: [Int] = []
        for c in plan.layerClasses { starts.append(all.count); all += c.kernels ?? [] }
        kernels = all
        tailKernels = head.count
        classKernels = starts
    }

    func program(_ c: Plan.Chiplet, decodeSteps: Int) -> Program {
        let m = plan.decodeMicrobatches
        var epilogue: [Instruction] = []
        if c.stage == 0, let first = tokenPeer(c) {
            let bytes = tokenBytes
            let low = CollectiveLowering(link: link, purpose: .tokenReturn, layer: -2, phase: .decode)
            for j in 0..<m { low.recv(from: first, bytes: bytes, microbatch: j, into: &epilogue) }
        }
        return Program(chiplet: c.index, stage: c.stage, tpRank: c.tpRank, epRank: c.epRank, dpRank: c.dpRank,
                       ops: ops, kernels: kernels, prefill: segment(c, .prefill, microbatches: plan.prefillMicrobatches),
                       decodeStep: decodeSteps > 0 ? segment(c, .decode, microbatches: m) : [],
                       decodeSteps: decodeSteps, epilogue: epilogue)
    }

    /// The counterpart across the pipeline that first and last stage exchange tokens with.
    func tokenPeer(_ c: Plan.Chiplet) -> Int? {
        let pp = plan.strategy.pp
        guard pp > 1 else { return nil }
        let stride = plan.strategy.stride(.pp)
        if c.stage == 0 { return c.index + (pp - 1) * stride }
        if c.stage == pp - 1 { return c.index - (pp - 1) * stride }
        return nil
    }

    /// One Int32 token id per sequence of a microbatch on this EP rank.
    var tokenBytes: Double {
        4 * Double(plan.batch) / Double(plan.decodeMicrobatches * plan.strategy.ep)
    }

    /// One pass of `microbatches` microbatches through this chiplet's stage.
    func segment(_ c: Plan.Chiplet, _ phase: Phase, microbatches: Int) -> [Instruction] {
        var out: [Instruction] = []
        let comm = plan.communication
        let prefill = phase == .prefill
        let stageBytes = prefill ? comm.stageSendBytesPrefill : comm.stageSendBytesDecode
        let stage = plan.stages[c.stage]
        let last = c.stage == plan.strategy.pp - 1
        for j in 0..<microbatches {
            if c.stage == 0 {
                if !prefill, let peer = tokenPeer(c) {
                    CollectiveLowering(link: link, purpose: .tokenReturn, layer: -2, phase: phase)
                        .recv(from: peer, bytes: tokenBytes, microbatch: j, into: &out)
                }
                software(stepOp, layer: -1, microseconds: plan.software?.stepOverheadUs ?? 0, phase, into: &out)
                software(stepOp, layer: -1, microseconds: plan.software?.overlappedStepUs ?? 0, phase,
                         overlapped: true, into: &out)
                layer(plan.head, base: headBase, kernelBase: headKernels, layer: -1, c, phase, ensureAllReduce: true, into: &out)
            } else if let prev = c.previousStage {
                CollectiveLowering(link: link, purpose: .stageSend, layer: Int32(stage.firstLayer), phase: phase)
                    .recv(from: prev, bytes: stageBytes, microbatch: j, into: &out)
            }
            for (k, cls) in stage.layerClasses.enumerated() where cls < plan.layerClasses.count {
                layer(plan.layerClasses[cls], base: classBase[cls], kernelBase: classKernels[cls], layer: Int32(stage.firstLayer + k), c, phase,
                      ensureAllReduce: false, into: &out)
            }
            if last {
                layer(plan.tail, base: tailBase, kernelBase: tailKernels, layer: -2, c, phase, ensureAllReduce: true, into: &out)
                if let first = tokenPeer(c) {
                    CollectiveLowering(link: link, purpose: .tokenReturn, layer: -2, phase: phase)
                        .send(to: first, bytes: tokenBytes, microbatch: j, into: &out)
                }
            } else if let next = c.nextStage {
                CollectiveLowering(link: link, purpose: .stageSend, layer: Int32(stage.firstLayer + stage.layerCount),
                                   phase: phase)
                    .send(to: next, bytes: stageBytes, microbatch: j, into: &out)
            }
        }
        return out
    }

    /// A compute instruction for time the serving software spends (an iteration's fixed cost, a
    /// collective's launch); none when the plan's profile charges nothing.
    func software(_ op: Int, layer: Int32, microseconds: Double, _ phase: Phase, overlapped: Bool = false,
                  into out: inout [Instruction]) {
        guard microseconds > 0 else { return }
        out.append(.compute(Compute(op: Int32(op), layer: layer, tile: 0, tileCount: 1, tiles: 1,
                                    seconds: microseconds * 1e-6, phase: phase, overlapped: overlapped)))
    }

    /// A layer's ops as tiles and the collectives after them. The embedding and LM head are
    /// vocabulary-parallel under TP, so (as the planner charges) one all-reduce follows each
    /// when the plan lists none.
    func layer(_ cls: Plan.LayerClass, base: Int, kernelBase: Int, layer: Int32, _ c: Plan.Chiplet, _ phase: Phase,
               ensureAllReduce: Bool, into out: inout [Instruction]) {
        let comm = plan.communication
        let prefill = phase == .prefill
        let listed = cls.ops.contains { !$0.collectivesAfter.isEmpty }
        let classKernels = cls.kernels ?? []
        for (i, op) in cls.ops.enumerated() {
            // A kernel's first op carries it; fused members and skipped ops (a rotary inside
            // attention) compute nothing of their own.
            let g = classKernels.firstIndex { $0.names.first == op.name }
            let tiles = max(op.tiling.tiles, 1)
            let groups = min(tiles, Lowering.maxComputeInstructionsPerOp)
            var first = 0
            for t in 0..<groups {
                let count = tiles / groups + (t < tiles % groups ? 1 : 0)
                var compute = Compute(op: Int32(base + i), layer: layer, tile: Int32(first), tileCount: Int32(count),
                                      tiles: Int32(tiles), seconds: 0, phase: phase)
                if let g {
                    compute.kernel = Int32(kernelBase + g)
                    compute.shape = shape(classKernels[g], phase, share: Double(count) / Double(tiles))
                }
                out.append(.compute(compute))
                first += count
            }
            var after = op.collectivesAfter
            if ensureAllReduce && !listed && i == cls.ops.count - 1 && plan.strategy.tp > 1 { after = ["allReduce:tp"] }
            for name in after {
                let launch = prefill ? plan.software?.collectiveLaunchUsPrefill : plan.software?.collectiveLaunchUsDecode
                software(launchOp, layer: layer, microseconds: launch ?? 0, phase, into: &out)
                // The library's own fixed cost (peer synchronisation), measured on the chip.
                let sync = name == "allToAll:ep" ? collectiveCosts.allToAllEP : collectiveCosts.allReduceTP
                software(syncOp, layer: layer, microseconds: sync.fixedS * 1e6, phase, into: &out)
                switch name {
                case "allReduce:tp":
                    CollectiveLowering(link: link, purpose: .allReduceTP, layer: layer, phase: phase)
                        .allReduce(group: c.tpGroup, me: c.index,
                                   bytes: prefill ? comm.tpAllReduceBytesPrefill : comm.tpAllReduceBytesDecode, into: &out)
                case "allToAll:ep":
                    // After the router: the dispatch; after the experts: the combine.
                    let dispatch = prefill ? comm.epAllToAllBytesPrefill : comm.epAllToAllBytesDecode
                    let combine = prefill ? comm.epCombineBytesPrefill : comm.epCombineBytesDecode
                    CollectiveLowering(link: link, purpose: .allToAllEP, layer: layer, phase: phase)
                        .allToAll(group: c.epGroup, me: c.index,
                                  bytes: op.kind == "router" ? dispatch : combine ?? dispatch, into: &out)
                default:
                    continue
                }
            }
        }
    }
}

extension PlanLowerer {
    /// What a tile range of `share` of kernel `g` computes in one microbatch of `phase`.
    func shape(_ g: KernelGroup, _ phase: Phase, share: Double) -> TileShape {
        let sc = plan.scenario, ep = Double(plan.strategy.ep)
        let sequences = Double(plan.batch) / Double(plan.prefillMicrobatches)
        let prompt = phase == .prefill ? Double(sc.inputTokens) : 0
        // Decode step 0 makes the second output token: it attends the prompt and the first token.
        let context = phase == .prefill ? 0 : Double(sc.inputTokens) + 1
        let work = phase == .prefill ? Work.prefill(sequences: sequences, tokens: prompt)
            : Work.decode(sequences: sequences, context: context)
        let chip = plan.chip
        var dtype = chip?.computeDType.rawValue ?? "", m = work.tokens / ep, n = g.n * share, k = g.k
        switch g.kind {
        case .lmHead:
            m = work.logitRows / ep
        case .expertGEMM:
            m = work.tokens * Double(g.topK * g.expertsHere) / Double(g.experts)
        case .attention:
            dtype = chip?.attentionDType.rawValue ?? ""
            n = Double(g.heads * g.headDim) * share
            k = phase == .prefill ? prompt : context
        case .vector:
            dtype = chip?.precision.activations.rawValue ?? ""
            n = 0; k = 0
        case .gemm:
            break
        }
        return TileShape(kind: g.kind.rawValue, dtype: dtype, m: m, n: n, k: k, sequences: sequences,
                         promptTokens: prompt, context: context)
    }
}
