import CostModel
import Planner

extension Emulation {
    /// Serves `options.requests`: on each data-parallel replica its first chiplet (stage 0, TP
    /// and EP rank 0) runs the `StreamScheduler`; per iteration it sends the iteration's work to
    /// every chiplet of the replica (a control message, free in virtual time), every chiplet runs
    /// its iteration template priced at that work, and the last stage's token return tells the
    /// scheduler when the iteration ended. One iteration is in flight per replica.
    static func runStream(plan: Plan, fabric: Fabric, options: EmulationOptions) throws -> EmulationResult? {
        try checkRanks(plan: plan, fabric: fabric, options: options)
        guard !options.numeric, options.tracePath == nil else {
            throw LowerError(description: "request streams run in timing mode without a trace; drop --numeric and --trace")
        }
        let chiplets = Lowering.emulatedChiplets(plan, oneReplica: options.oneReplica)
        var rankOf = [Int](repeating: -1, count: plan.chiplets.count)
        for (rank, c) in chiplets.enumerated() { rankOf[c] = rank }
        let me = plan.chiplets[chiplets[fabric.rank]]
        let program = try Lowering.program(plan: plan, chiplet: me.index, decodeSteps: 0)
        let templates = try Lowering.iterationTemplates(plan: plan, chiplet: me.index)
        let waiting = templates.mapValues { $0.map { i -> String in
            if case .recv(let t) = i { "recv from chiplet \(t.peer) tag \(t.tag) (\(t.what))" } else { "" }
        } }
        let executor = Executor(program: program, fabric: fabric, link: LinkModel(plan), rankOf: rankOf, tracing: false)
        executor.pricer = try TilePricer(plan: plan, program: program)

        let replicas = Array(Set(chiplets.map { plan.chiplets[$0].dpRank })).sorted()
        let replica = replicas.firstIndex(of: me.dpRank) ?? 0
        let members = chiplets.filter { plan.chiplets[$0].dpRank == me.dpRank }
        let schedulerChiplet = members.first { plan.chiplets[$0].stage == 0 && plan.chiplets[$0].tpRank == 0
            && plan.chiplets[$0].epRank == 0 } ?? members[0]
        let tag = Int(Purpose.iteration.tagBase)
        let sc = plan.scenario
        let perMicrobatch = Double(plan.batch) / Double(plan.prefillMicrobatches)
        let templateTokens: [Phase: Double] = [.prefill: perMicrobatch * Double(sc.inputTokens), .decode: perMicrobatch]

        var records: [RequestRecord] = [], queue: [(timeS: Double, waiting: Int, running: Int, kvTokens: Int)] = []
        if me.index == schedulerChiplet {
            let mine = (options.requests ?? []).enumerated().filter { $0.offset % replicas.count == replica }.map(\.element)
            var scheduler = StreamScheduler(requests: mine, limits: streamLimits(plan, options), replica: me.dpRank)
            let others = members.filter { $0 != me.index }.map { rankOf[$0] }
            while let it = scheduler.next(at: executor.clock) {
                let phase: Phase = it.prefill ? .prefill : .decode
                let afterIdle = it.startS > executor.clock
                var w = FloatWriter()
                w.put(it.startS); w.put(phase.index); w.put(afterIdle ? 1 : 0)
                for v in [it.work.tokens, it.work.prefillAttended, it.work.decodeAttended, it.work.kvPositions,
                          it.work.sequences, it.work.prefillTokens, it.work.prefillSequences] { w.put(v) }
                for r in others {
                    try fabric.send(Message(source: fabric.rank, tag: tag, sendTimeS: it.startS, arrivalTimeS: it.startS,
                                            bytes: 0, payload: w.floats), to: r)
                    executor.countControlMessage()
                }
                try executor.runIteration(templates[phase] ?? [], waiting: waiting[phase] ?? [], phase: phase, work: it.work,
                                          bytesScale: it.work.tokens / (templateTokens[phase] ?? 1), startS: it.startS,
                                          afterIdle: afterIdle)
                scheduler.finish(it, at: executor.clock)
            }
            for r in others {
                try fabric.send(Message(source: fabric.rank, tag: tag, sendTimeS: executor.clock, arrivalTimeS: executor.clock,
                                        bytes: 0, payload: []), to: r)
            }
            records = scheduler.records
            queue = scheduler.queueTrace
        } else {
            while true {
                let m = try fabric.receive(from: rankOf[schedulerChiplet], tag: tag,
                                           waiting: "next iteration from the scheduler on chiplet \(schedulerChiplet)")
                if m.payload.isEmpty { break }
                var r = FloatReader(m.payload)
                let startS = try r.double(), phase: Phase = try r.int() == 0 ? .prefill : .decode, afterIdle = try r.int() == 1
                let v = try (0..<7).map { _ in try r.double() }
                let work = Work(tokens: v[0], prefillAttended: v[1], decodeAttended: v[2], kvPositions: v[3],
                                sequences: v[4], prefillTokens: v[5], prefillSequences: v[6])
                try executor.runIteration(templates[phase] ?? [], waiting: waiting[phase] ?? [], phase: phase, work: work,
                                          bytesScale: work.tokens / (templateTokens[phase] ?? 1), startS: startS,
                                          afterIdle: afterIdle)
            }
        }
        return try gatherStream(plan: plan, fabric: fabric, options: options, executor: executor, records: records, queue: queue)
    }

    /// The scheduler's limits: the token budget, the plan's batch as the running cap, and the K/V
    /// the plan sized per replica (batch × (input + output) positions).
    static func streamLimits(_ plan: Plan, _ options: EmulationOptions) -> StreamScheduler.Limits {
        let sc = plan.scenario
        return .init(tokenBudget: max(1, options.tokenBudget ?? plan.software?.maxNumTokens ?? 8192),
                     maxRunning: plan.batch, kvCapacityTokens: plan.batch * (sc.inputTokens + sc.outputTokens))
    }
}
