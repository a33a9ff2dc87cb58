import ClusterSpec
import CostModel
import ModelGraph
import Planner

/// Why a plan cannot be compiled against a cluster.
public struct CompileError: Error, CustomStringConvertible {
    public var description: String
}

/// Which passes run: the default pipeline, less `disabled`, plus the opt-in `enabled`.
public struct PassOptions: Sendable, Equatable {
    public var disabled: Set<String>
    public var enabled: Set<String>

    public init(disabled: Set<String> = [], enabled: Set<String> = []) {
        self.disabled = disabled; self.enabled = enabled
    }

    public func runs(_ p: any GraphPass) -> Bool {
        !disabled.contains(p.name) && (p.enabledByDefault || enabled.contains(p.name))
    }

    /// The first name that is not a pass, as an error naming the flag and the passes there are.
    public func check() throws {
        for (flag, names) in [("--disable-pass", disabled), ("--enable-pass", enabled)] {
            for n in names.sorted() where Pipeline.pass(named: n) == nil {
                throw CompileError(description: "\(flag) \(n): no such pass; expected one of \(Pipeline.names.joined(separator: ", "))")
            }
        }
    }
}

/// The graph's figures the `--passes` table prints: per layer of the most common layer class,
/// per decode microbatch on one chiplet of the first stage, and the predicted TPOT and TTFT of
/// the plan's strategy with these kernels.
public struct GraphStats: Sendable, Equatable {
    public var opsPerLayer: Int
    public var kernelsPerLayer: Int
    public var kernelsPerStep: Int
    public var bytesPerStep: Double
    public var tpotMs: Double
    public var ttftMs: Double
}

public struct PassReport: Sendable {
    public var pass: String
    public var ran: Bool
    public var before: GraphStats
    public var after: GraphStats
}

public struct Compilation: Sendable {
    public var reports: [PassReport]
    /// The graph as lifted (key "lift") and after each pass that ran (by pass name).
    public var graphs: [String: KernelGraph]
    public var final: KernelGraph
    /// The plan with the final graph's kernels and tilings (what `Lowering` turns into programs).
    public var plan: Plan
}

/// Runs the pass pipeline over a plan's model shard, pricing each step with the planner's own
/// evaluator (same strategy, batch and cluster), so that the default pipeline's last row is the
/// plan's prediction.
public struct PlanCompiler {
    public let plan: Plan
    public let context: CompileContext
    let inputs: PlanInputs
    let planned: ModelShard
    let rates: ChipletRates

    /// `clusterFile` is the cluster the plan was made on; its chip figures must match the plan's.
    public init(plan: Plan, cluster: ClusterSpec, clusterFile: String) throws {
        guard let chip = plan.chip else {
            throw CompileError(description: "plan has no chip figures (written before them); write it again with `tessera plan -o`")
        }
        let model = ModelGraph(config: plan.modelConfig, name: plan.model)
        let software = chip.software == cluster.software.name ? nil : try SoftwareProfile.resolve(chip.software, relativeTo: clusterFile)
        var inputs = PlanInputs(modelName: plan.model, model: model, cluster: cluster, scenario: plan.scenario, software: software)
        inputs.allowUnevenKVHeads = true  // the plan is chosen; this prices it, whatever was offered
        let evaluator = try Evaluator(inputs)
        var mine = evaluator.rates.figures, theirs = chip
        mine.kernelTables = nil; theirs.kernelTables = nil
        guard mine == theirs else {
            throw CompileError(description: "the plan was priced on other chip figures than \(clusterFile) gives "
                + "(software \(chip.software)); pass --cluster with the file the plan was made from")
        }
        self.plan = plan
        self.inputs = inputs
        rates = evaluator.rates
        let s = plan.strategy
        planned = evaluator.modelShard(Shard(tp: s.tp, ep: s.ep))
        let sequences = Double(plan.batch) / Double(max(plan.decodeMicrobatches, 1))
        context = CompileContext(
            fusions: rates.software.fusions, kvHeads: model.config.kvHeads, mla: model.config.mla != nil,
            computeUnits: rates.computeUnits, measuredKernels: rates.kernels != nil,
            bufferBytes: evaluator.onChipBytes(plan.memory),
            decodeRows: Int((sequences / Double(s.ep)).rounded(.up)),
            weightBytesPerElement: inputs.precision.weights.bytesPerElement,
            activationBytesPerElement: inputs.precision.activations.bytesPerElement,
            maxPositions: model.config.maxPositions, headDim: model.config.headDim,
            weightStationary: plan.weightStationary, tp: s.tp, ep: s.ep)
    }

    /// The shard as the lifted graph, one op per kernel.
    public var lifted: KernelGraph { KernelGraph(lifting: planned, context: context) }

    public func compile(_ options: PassOptions = PassOptions()) throws -> Compilation {
        try options.check()
        var graph = lifted
        var graphs = ["lift": graph]
        var stats = try self.stats(graph)
        var reports: [PassReport] = []
        for pass in Pipeline.passes {
            guard options.runs(pass) else {
                reports.append(PassReport(pass: pass.name, ran: false, before: stats, after: stats))
                continue
            }
            pass.run(&graph, context)
            let after = try self.stats(graph)
            reports.append(PassReport(pass: pass.name, ran: true, before: stats, after: after))
            graphs[pass.name] = graph
            stats = after
        }
        return Compilation(reports: reports, graphs: graphs, final: graph, plan: rewritten(graph))
    }

    /// Prices `graph` with the planner's evaluator at the plan's strategy and batch.
    public func stats(_ graph: KernelGraph) throws -> GraphStats {
        let evaluator = try Evaluator(inputs)
        let shard = graph.applied(to: planned)
        evaluator.kernelTransform = { $0.shard == shard.shard ? shard : $0 }
        let e = evaluator.evaluate(Candidate(strategy: plan.strategy, batch: plan.batch))
        guard let m = e.metrics else {
            throw CompileError(description: "the plan's strategy does not fit with these kernels: \(e.reason ?? "infeasible")")
        }
        let sc = plan.scenario
        let work = Work.decode(sequences: Double(plan.batch) / Double(max(plan.decodeMicrobatches, 1)),
                               context: Double(sc.inputTokens) + Double(sc.outputTokens) / 2)
        var step = [graph.head]
        for c in plan.stages.first?.layerClasses ?? [] where c + 2 < graph.sections.count { step.append(graph.sections[c + 2]) }
        if plan.strategy.pp == 1 { step.append(graph.tail) }
        let kernels = step.flatMap(\.kernels)
        let bytes = kernels.reduce(0) { $0 + $1.group.cost(work, ep: plan.strategy.ep, rates: rates, tiers: plan.memory.choice).bytes }
        let main = graph.classes.enumerated().max { $0.element.layers < $1.element.layers || ($0.element.layers == $1.element.layers && $0.offset > $1.offset) }?.element
        return GraphStats(opsPerLayer: main?.ops.count ?? 0, kernelsPerLayer: main?.kernels.count ?? 0,
                          kernelsPerStep: kernels.count, bytesPerStep: bytes, tpotMs: m.tpotMs, ttftMs: m.ttftMs)
    }

    /// The plan with `graph`'s kernels and op tilings (an op the tile pass did not cut is one tile).
    func rewritten(_ graph: KernelGraph) -> Plan {
        func apply(_ cls: Plan.LayerClass, _ s: KernelGraph.Section) -> Plan.LayerClass {
            var out = cls
            out.kernels = s.kernels.map(\.group)
            for i in out.ops.indices {
                out.ops[i].tiling = s.tilings[out.ops[i].name] ?? Tiling(tileK: 0, tileN: 0, tiles: 1, paddingWaste: 0)
            }
            return out
        }
        var p = plan
        p.head = apply(plan.head, graph.head)
        p.tail = apply(plan.tail, graph.tail)
        p.layerClasses = zip(plan.layerClasses, graph.classes).map(apply)
        return p
    }
}
