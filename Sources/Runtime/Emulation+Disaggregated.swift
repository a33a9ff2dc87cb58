import CostModel
import Planner

/// A K/V cache shard a prompt moves from a prefill chiplet to a decode chiplet.
public struct KVShard: Equatable, Sendable {
    /// Chiplet indices within each pool's plan.
    public var from: Int
    public var to: Int
    public var bytes: Double
}

extension Emulation {
    /// The K/V shards of one prompt of `tokens`: each (layer, KV head) moves once, from the prefill
    /// chiplet holding it to the decode chiplet that will: the stages holding the layer, and the TP
    /// rank owning the head (`h · tp / heads`; with fewer heads than ranks, the first of the
    /// replicas). So the bytes add up to layers × KV heads × head dim × 2 × tokens × dtype bytes
    /// (MLA's latent counts as one head).
    public static func kvShards(prefill: Plan, decode: Plan, tokens: Int) -> [KVShard] {
        let config = decode.modelConfig
        let heads = config.mla == nil ? max(config.kvHeads, 1) : 1
        let bytesPerLayerHead = Double(config.kvCacheElementsPerTokenPerLayer) / Double(heads)
            * decode.scenario.precision.kvCache.bytesPerElement * Double(tokens)
        func layers(_ p: Plan, _ c: Plan.Chiplet) -> Range<Int> {
            let s = p.stages[c.stage]
            return s.firstLayer..<(s.firstLayer + s.layerCount)
        }
        func owner(_ h: Int, _ p: Plan) -> Int { h * p.strategy.tp / heads }
        var out: [KVShard] = []
        for a in prefill.chiplets where a.dpRank == 0 && a.epRank == 0 {
            for b in decode.chiplets where b.dpRank == 0 && b.epRank == 0 {
                let shared = layers(prefill, a).clamped(to: layers(decode, b)).count
                let both = (0..<heads).filter { owner($0, prefill) == a.tpRank && owner($0, decode) == b.tpRank }.count
                if shared > 0 && both > 0 {
                    out.append(KVShard(from: a.index, to: b.index, bytes: Double(shared * both) * bytesPerLayerHead))
                }
            }
        }
        return out
    }

    /// Why a disaggregated plan cannot run, or nil.
    static func disaggregationProblem(_ plan: Plan, _ pools: DisaggregatedPools, _ options: EmulationOptions) -> String? {
        let prefill = pools.prefill.plan
        if options.requests == nil || options.numeric || options.tracePath != nil || options.failure != nil || options.oneReplica {
            return "a disaggregated plan serves a request stream in timing mode: give --requests (or --trace-in), "
                + "without --numeric, --trace, --fail or --one-replica"
        }
        if let problem = prefill.inconsistency { return "disaggregation.prefill: \(problem)" }
        for (name, p) in [("disaggregation.prefill", prefill), ("the decode pool", plan)]
        where p.strategy.dp != 1 || p.strategy.ep != 1 || p.placement != nil {
            return "\(name): expected one replica (dp 1) without expert parallelism or placement, got \(p.strategy)"
        }
        if prefill.levels.map(\.chipletsPerUnit) != plan.levels.map(\.chipletsPerUnit) || prefill.modelConfig != plan.modelConfig {
            return "disaggregation.prefill: expected the decode pool's model and cluster levels"
        }
        let total = plan.levels.last?.chipletsPerUnit ?? 0
        if pools.decodeFirstChiplet < prefill.chiplets.count || pools.decodeFirstChiplet + plan.chiplets.count > total {
            return "disaggregation.decodeFirstChiplet: expected \(prefill.chiplets.count) to \(total - plan.chiplets.count) "
                + "(after the prefill pool, within the cluster), got \(pools.decodeFirstChiplet)"
        }
        return nil
    }

    /// The two pools of a disaggregated plan on ranks 0 ..< prefill chiplets (the prefill pool) and
    /// the rest (the decode pool, on the cluster's chiplets from `decodeFirstChiplet`). The prefill
    /// pool's scheduler prefills each request alone (output of one token); when an iteration ends
    /// a prompt, each prefill chiplet sends its K/V shards to the decode chiplets over the links
    /// (`kvShards`), and the scheduler tells the decode pool's. That one has its decode chiplets
    /// take the shards in; the request's first token is when the last shard is in, and it then
    /// queues for the decode replica like any arrival.
    static func runDisaggregated(plan: Plan, pools: DisaggregatedPools, fabric: Fabric, options: EmulationOptions) throws -> EmulationResult? {
        try checkRanks(plan: plan, fabric: fabric, options: options)
        if let problem = disaggregationProblem(plan, pools, options) { throw LowerError(description: problem) }
        let prefill = pools.prefill.plan, cp = prefill.chiplets.count
        let inPrefill = fabric.rank < cp
        let pool = inPrefill ? prefill : plan, base = inPrefill ? 0 : cp
        let link = LinkModel(pool).shifted(by: inPrefill ? 0 : pools.decodeFirstChiplet, roles: pool.chiplets.count)
        let all = Array(pool.chiplets.indices)
        let replica = try StreamReplica(plan: pool, chiplet: fabric.rank - base, fabric: fabric, rankOf: all.map { base + $0 },
                                        link: link, emulated: all)
        let hierarchy = plan.hierarchy
        func level(_ p: Int, _ d: Int) -> Int { hierarchy.commonLevel(p, pools.decodeFirstChiplet + d) }
        var shardMemo: [Int: [KVShard]] = [:]
        func shards(_ tokens: Int) -> [KVShard] {
            if let s = shardMemo[tokens] { return s }
            let s = kvShards(prefill: prefill, decode: plan, tokens: tokens)
            shardMemo[tokens] = s
            return s
        }
        let executor = replica.executor, me = replica.me.index
        let noticeTag = Int(Purpose.kvHandOff.tagBase) + 1, readyTag = noticeTag + 1
        let prefillScheduler = StreamReplica.scheduler(of: prefill, among: Array(prefill.chiplets.indices))
        let decodeSchedulerRank = cp + StreamReplica.scheduler(of: plan, among: Array(plan.chiplets.indices))

        /// A prefill chiplet's shards of a prompt, leaving beside the device.
        func sendShards(_ tokens: Int) throws {
            for s in shards(tokens) where s.from == me {
                try executor.sendHandOff(bytes: s.bytes, toRank: cp + s.to, level: level(s.from, s.to))
            }
        }
        /// A decode chiplet's shards of a prompt: when the last is in (0 when it takes none).
        func takeShards(_ tokens: Int) throws -> Double {
            var readyS = 0.0
            for s in shards(tokens) where s.to == me {
                readyS = max(readyS, try executor.receiveHandOff(fromRank: s.from, level: level(s.from, s.to),
                                                                 waiting: "K/V hand-off from prefill chiplet \(s.from)"))
            }
            return readyS
        }

        try startLoop(fabric, options)
        var records: [RequestRecord] = [], queue: [(timeS: Double, waiting: Int, running: Int, kvTokens: Int)] = []
        if inPrefill && replica.isScheduler {
            let requests = options.requests ?? []
            var scheduler = StreamScheduler(requests: requests.map { var r = $0; r.outputTokens = 1; return r },
                                            limits: streamLimits(prefill, options), replica: 0)
            let outputs = Dictionary(requests.map { ($0.id, $0.outputTokens) }, uniquingKeysWith: { a, _ in a })
            while let it = scheduler.next(at: executor.clock) {
                // The prompts whose last chunk this iteration runs.
                let ending = it.chunks.map { (live: scheduler.running[$0.index], tokens: $0.tokens) }
                    .filter { $0.live.prefilled + $0.tokens == $0.live.request.inputTokens }.map(\.live)
                try replica.run(it, handOffTokens: ending.map(\.request.inputTokens))
                scheduler.finish(it, at: executor.clock)
                for live in ending {
                    try sendShards(live.request.inputTokens)
                    let r = live.request, now = executor.clock
                    var w = FloatWriter()
                    w.put(r.id); w.put(r.arrivalS); w.put(live.record.admittedS ?? r.arrivalS); w.put(r.inputTokens)
                    w.put(outputs[r.id] ?? 1); w.put(now)
                    try fabric.send(Message(source: fabric.rank, tag: noticeTag, sendTimeS: now, arrivalTimeS: now, bytes: 0,
                                            payload: w.floats), to: decodeSchedulerRank)
                    executor.countControlMessage()
                }
            }
            try replica.order(.stop)
            try fabric.send(Message(source: fabric.rank, tag: noticeTag, sendTimeS: executor.clock, arrivalTimeS: executor.clock,
                                    bytes: 0), to: decodeSchedulerRank)
        } else if inPrefill {
            while true {
                let control = try replica.nextOrder()
                if control == .stop { break }
                try replica.execute(control)
                if case let .iteration(_, _, _, _, tokens) = control { for t in tokens { try sendShards(t) } }
            }
        } else if replica.isScheduler {
            var scheduler = StreamScheduler(requests: [], limits: streamLimits(plan, options), replica: 0)
            var notice: (request: ServingRequest, record: RequestRecord)? = nil, prefillDone = false
            while true {
                if notice == nil && !prefillDone {
                    let m = try fabric.receive(from: prefillScheduler, tag: noticeTag,
                                               waiting: "the next prefilled request from the prefill pool's scheduler")
                    if m.payload.isEmpty { prefillDone = true } else {
                        var r = FloatReader(m.payload)
                        let id = try r.int(), arrival = try r.double(), admitted = try r.double(), input = try r.int()
                        let output = try r.int(), prefillEnd = try r.double()
                        notice = (ServingRequest(id: id, arrivalS: arrival, inputTokens: input, outputTokens: output),
                                  RequestRecord(id: id, replica: 0, arrivalS: arrival, inputTokens: input, outputTokens: output,
                                                admittedS: admitted, prefillEndS: prefillEnd))
                    }
                }
                // A prompt that ended prefill by now may be ready for the next iteration: take it in first.
                if let n = notice, scheduler.isIdle || (n.record.prefillEndS ?? 0) <= executor.clock {
                    try replica.order(.handIn(tokens: n.request.inputTokens))
                    var readyS = try takeShards(n.request.inputTokens)
                    for r in replica.others {
                        readyS = max(readyS, try fabric.receive(from: r, tag: readyTag, waiting: "K/V in on rank \(r)").sendTimeS)
                    }
                    scheduler.handIn(n.request, record: n.record, readyS: readyS)
                    notice = nil
                    continue
                }
                if let it = scheduler.next(at: executor.clock) {
                    try replica.run(it)
                    scheduler.finish(it, at: executor.clock)
                } else if prefillDone && notice == nil {
                    break
                }
            }
            try replica.order(.stop)
            records = scheduler.records
            queue = scheduler.queueTrace
        } else {
            try replica.follow { tokens in
                let readyS = try takeShards(tokens)
                try fabric.send(Message(source: fabric.rank, tag: readyTag, sendTimeS: readyS, arrivalTimeS: readyS, bytes: 0),
                                to: replica.schedulerRank)
            }
        }
        return try gatherStream(plan: plan, fabric: fabric, options: options, executor: executor, records: records,
                                queue: queue, replicaOfRank: [Int](repeating: 0, count: fabric.size))
    }
}
