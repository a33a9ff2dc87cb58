import CostModel
import Planner

/// One data-parallel replica's share of a request stream on this rank: the chiplet's executor
/// and iteration templates, and who schedules the replica (its first chiplet: stage 0, TP and EP
/// rank 0). A pool of a disaggregated plan is a replica of its own plan, its ranks offset.
struct StreamReplica {
    let plan: Plan
    let fabric: Fabric
    let executor: Executor
    let me: Plan.Chiplet
    let templates: [Phase: [Instruction]]
    let waiting: [Phase: [String]]
    let schedulerChiplet: Int
    /// Ranks of the replica's other chiplets (on its scheduler), and the scheduler's rank.
    let others: [Int]
    let schedulerRank: Int
    let templateTokens: [Phase: Double]
    let tag = Int(Purpose.iteration.tagBase)

    var isScheduler: Bool { me.index == schedulerChiplet }

    /// The chiplet of `members` (one replica's) that schedules it: stage 0, TP and EP rank 0.
    static func scheduler(of plan: Plan, among members: [Int]) -> Int {
        members.first { plan.chiplets[$0].stage == 0 && plan.chiplets[$0].tpRank == 0 && plan.chiplets[$0].epRank == 0 } ?? members[0]
    }

    /// `chiplet` of `plan` on this rank; `rankOf` maps the plan's chiplets to ranks, `link` places them.
    init(plan: Plan, chiplet: Int, fabric: Fabric, rankOf: [Int], link: LinkModel, emulated: [Int]) throws {
        self.plan = plan
        self.fabric = fabric
        me = plan.chiplets[chiplet]
        let program = try Lowering.program(plan: plan, chiplet: chiplet, decodeSteps: 0)
        templates = try Lowering.iterationTemplates(plan: plan, chiplet: chiplet)
        waiting = templates.mapValues { $0.map { i -> String in
            if case .recv(let t) = i { "recv from chiplet \(t.peer) tag \(t.tag) (\(t.what))" } else { "" }
        } }
        executor = Executor(program: program, fabric: fabric, link: link, rankOf: rankOf, tracing: false)
        executor.pricer = try TilePricer(plan: plan, program: program)
        executor.collectives = CollectiveCosts(plan: plan, link: link)
        let dp = me.dpRank
        let members = emulated.filter { plan.chiplets[$0].dpRank == dp }
        let scheduler = Self.scheduler(of: plan, among: members)
        schedulerChiplet = scheduler
        others = members.filter { $0 != scheduler }.map { rankOf[$0] }
        schedulerRank = rankOf[scheduler]
        let perMicrobatch = Double(plan.batch) / Double(plan.prefillMicrobatches)
        templateTokens = [.prefill: perMicrobatch * Double(plan.scenario.inputTokens), .decode: perMicrobatch]
    }

    /// On the scheduler: tells the replica's other chiplets `control` (counted as a message).
    func order(_ control: StreamControl) throws {
        let now = executor.clock
        for r in others {
            try fabric.send(Message(source: fabric.rank, tag: tag, sendTimeS: now, arrivalTimeS: now, bytes: 0,
                                    payload: control.payload), to: r)
            if control != .stop { executor.countControlMessage() }
        }
    }

    /// On the scheduler: orders iteration `it` and runs this chiplet's share of it.
    func run(_ it: Iteration, handOffTokens: [Int] = []) throws {
        let control = StreamControl.iteration(startS: it.startS, phase: it.prefill ? .prefill : .decode,
                                              afterIdle: it.startS > executor.clock, work: it.work, handOffTokens: handOffTokens)
        try order(control)
        try execute(control)
    }

    /// This chiplet's share of an ordered iteration.
    func execute(_ control: StreamControl) throws {
        guard case let .iteration(startS, phase, afterIdle, work, _) = control else { return }
        try executor.runIteration(templates[phase] ?? [], waiting: waiting[phase] ?? [], phase: phase, work: work,
                                  bytesScale: work.tokens / (templateTokens[phase] ?? 1), startS: startS, afterIdle: afterIdle)
    }

    /// On another chiplet: the scheduler's next order.
    func nextOrder() throws -> StreamControl {
        let m = try fabric.receive(from: schedulerRank, tag: tag, waiting: "next iteration from the scheduler on chiplet \(schedulerChiplet)")
        return try StreamControl(payload: m.payload)
    }

    /// On another chiplet: runs the scheduler's orders until it says stop; `handIn` takes a
    /// decode pool's K/V hand-in (disaggregated plans).
    func follow(handIn: ((Int) throws -> Void)? = nil) throws {
        while true {
            let control = try nextOrder()
            if control == .stop { return }
            if case let .handIn(tokens) = control, let handIn {
                try handIn(tokens)
            } else {
                try execute(control)
            }
        }
    }
}

extension Emulation {
    /// Serves `options.requests`: on each data-parallel replica its first chiplet runs the
    /// `StreamScheduler`; per iteration it sends the iteration's work to every chiplet of the
    /// replica (a control message, free in virtual time), every chiplet runs its iteration
    /// template priced at that work, and the last stage's token return tells the scheduler when
    /// the iteration ended. One iteration is in flight per replica. A disaggregated plan runs
    /// its two pools instead (`runDisaggregated`).
    static func runStream(plan: Plan, fabric: Fabric, options: EmulationOptions) throws -> EmulationResult? {
        if let pools = plan.disaggregation { return try runDisaggregated(plan: plan, pools: pools, fabric: fabric, options: options) }
        try checkRanks(plan: plan, fabric: fabric, options: options)
        guard !options.numeric, options.tracePath == nil else {
            throw LowerError(description: "request streams run in timing mode without a trace; drop --numeric and --trace")
        }
        let chiplets = Lowering.emulatedChiplets(plan, oneReplica: options.oneReplica)
        var rankOf = [Int](repeating: -1, count: plan.chiplets.count)
        for (rank, c) in chiplets.enumerated() { rankOf[c] = rank }
        let replica = try StreamReplica(plan: plan, chiplet: chiplets[fabric.rank], fabric: fabric, rankOf: rankOf,
                                        link: LinkModel(plan), emulated: chiplets)
        let replicas = Array(Set(chiplets.map { plan.chiplets[$0].dpRank })).sorted()
        let n = replicas.firstIndex(of: replica.me.dpRank) ?? 0
        try startLoop(fabric, options)

        var records: [RequestRecord] = [], queue: [(timeS: Double, waiting: Int, running: Int, kvTokens: Int)] = []
        if replica.isScheduler {
            let mine = (options.requests ?? []).enumerated().filter { $0.offset % replicas.count == n }.map(\.element)
            var scheduler = StreamScheduler(requests: mine, limits: streamLimits(plan, options), replica: replica.me.dpRank)
            while let it = scheduler.next(at: replica.executor.clock) {
                try replica.run(it)
                scheduler.finish(it, at: replica.executor.clock)
            }
            try replica.order(.stop)
            records = scheduler.records
            queue = scheduler.queueTrace
        } else {
            try replica.follow()
        }
        let replicaOfRank = chiplets.map { plan.chiplets[$0].dpRank }
        return try gatherStream(plan: plan, fabric: fabric, options: options, executor: replica.executor, records: records,
                                queue: queue, replicaOfRank: replicaOfRank)
    }

    /// The scheduler's limits: the token budget, the plan's batch as the running cap, and the K/V
    /// the plan sized per replica (batch × (input + output) positions).
    static func streamLimits(_ plan: Plan, _ options: EmulationOptions) -> StreamScheduler.Limits {
        let sc = plan.scenario
        return .init(tokenBudget: max(1, options.tokenBudget ?? plan.software?.maxNumTokens ?? 8192),
                     maxRunning: plan.batch, kvCapacityTokens: plan.batch * (sc.inputTokens + sc.outputTokens))
    }
}
