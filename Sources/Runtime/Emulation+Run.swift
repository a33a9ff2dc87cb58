import Foundation
import Planner

extension Emulation {
    /// Runs this rank's program. Checks rank count and plan hash first (clear errors naming both
    /// figures). Returns the gathered result on rank 0, nil elsewhere.
    public static func run(plan: Plan, fabric: Fabric, options: EmulationOptions) throws -> EmulationResult? {
        if options.requests != nil { return try runStream(plan: plan, fabric: fabric, options: options) }
        if plan.disaggregation != nil {
            throw LowerError(description: "a disaggregated plan serves a request stream: give --requests (or --trace-in)")
        }
        try checkRanks(plan: plan, fabric: fabric, options: options)
        let chiplets = Lowering.emulatedChiplets(plan, oneReplica: options.oneReplica)
        var rankOf = [Int](repeating: -1, count: plan.chiplets.count)
        for (rank, c) in chiplets.enumerated() { rankOf[c] = rank }
        let program = try Lowering.program(plan: plan, chiplet: chiplets[fabric.rank], decodeSteps: options.decodeSteps)
        var link = LinkModel(plan)
        let failover = try options.failure.map { spec throws(FailoverError) in
            try Failover.make(plan: plan, spec: spec, oneReplica: options.oneReplica)
        }
        if let f = failover { link.failover = (f.role, f.spare, f.atS) }
        let executor = Executor(program: program, fabric: fabric, link: link, rankOf: rankOf,
                                tracing: options.tracePath != nil)
        if failover?.role == chiplets[fabric.rank] { executor.failover = failover }
        let numeric = options.numeric ? try NumericEngineFactory.make(plan: plan, program: program, options: options) : nil
        executor.engine = numeric
        executor.pricer = try TilePricer(plan: plan, program: program)
        executor.collectives = CollectiveCosts(plan: plan, link: link)
        if fabric.rank == 0 { executor.progress = options.progress }
        let keepTrace = { [unowned executor] in
            if fabric.rank == 0, let path = options.tracePath {
                try? TraceWriter(plan: plan, options: options).write(figures: [], traces: [executor.trace ?? []], to: path)
            }
        }
        // A lost rank ends the job at once (hydra kills the rest), so rank 0 keeps its trace so far
        // as it goes: after 2 s of wall time, then 4 s more, 8 s more… (the cost stays a fraction of the run).
        if fabric.rank == 0 && options.tracePath != nil {
            var intervalS = 2.0, next = Date().addingTimeInterval(intervalS)
            executor.checkpoint = {
                guard Date() >= next else { return }
                keepTrace()
                intervalS *= 2
                next = Date().addingTimeInterval(intervalS)
            }
        }
        try startLoop(fabric, options)
        do { try executor.run() } catch {
            keepTrace()  // A watchdog or a failed send ends the job: keep what rank 0 traced so far.
            throw error
        }
        fabric.note(.results, step: 0)
        return try gather(plan: plan, fabric: fabric, options: options, executor: executor, numeric: numeric, failover: failover)
    }

    /// Ends every rank's set-up with a barrier, then tells `options.started`.
    static func startLoop(_ fabric: Fabric, _ options: EmulationOptions) throws {
        try fabric.barrier()
        options.started?()
    }

    /// Rank count and plan hash, before any work starts.
    static func checkRanks(plan: Plan, fabric: Fabric, options: EmulationOptions) throws {
        let needed = ranksNeeded(plan, oneReplica: options.oneReplica)
        if fabric.size != needed {
            throw FabricError.rankCount(
                started: fabric.size, needed: needed, strategy: "\(plan.strategy)", oneReplica: options.oneReplica,
                replicaChiplets: options.oneReplica || plan.strategy.dp == 1 ? nil : plan.strategy.chipletsPerReplica)
        }
        let mine = planHash(plan)
        let hashes = try fabric.allGather(mine)
        if let other = hashes.firstIndex(where: { $0 != hashes[0] }) {
            throw FabricError.planHashes(rank0Hash: hashes[0], rank: other, hash: hashes[other])
        }
    }

    static func hex(_ v: UInt64) -> String { FabricError.hex(v) }

    /// Every rank's figures (and trace, and final logits) go up the binomial tree to rank 0, which
    /// builds the result.
    static func gather(plan: Plan, fabric: Fabric, options: EmulationOptions, executor: Executor,
                       numeric: NumericEngine?, failover: Failover? = nil) throws -> EmulationResult? {
        let mine = FloatFrames.join([executor.figures.encoded(), TraceRecord.encoded(executor.trace ?? []),
                                 encodeLogits(numeric?.finalLogits ?? [])])
        guard let parts = try fabric.gatherToRoot(mine, tag: Int(Purpose.result.tagBase), what: "results") else {
            return nil
        }
        var figures: [ChipletFigures] = [], traces: [[TraceRecord]] = [], logits: [(sequence: Int, logits: [Float])] = []
        for (rank, part) in parts.enumerated() {
            let fields = try FloatFrames.split(part, count: 3, source: rank)
            figures.append(try ChipletFigures(decoding: fields[0]))
            traces.append(try TraceRecord.decoded(fields[1]))
            logits += try decodeLogits(fields[2])
        }
        var result = summarise(plan: plan, figures: figures, options: options)
        result.failover = failover
        result.interruption = figures.lazy.compactMap(\.interruption).first
        if let cut = result.interruption {
            result.notes.insert(String(format: "a lost chiplet (--fail) stopped its role for %.4g ms, which the prediction does not "
                + "include; the waits and queues below include what it held up", cut.lostS * 1000), at: 0)
        }
        if options.numeric {
            let check = try NumericEngineFactory.compare(plan: plan, options: options, logits: logits)
            result.maxRelativeError = check.maxRelativeError
            result.maxRelativeErrorVsFP32 = check.maxRelativeErrorVsFP32
            result.accuracy = check.accuracy
        }
        result.report = report(plan: plan, result: result, figures: figures, options: options)
        if let path = options.tracePath {
            try TraceWriter(plan: plan, options: options).write(figures: figures, traces: traces, to: path)
        }
        return result
    }

    static func encodeLogits(_ rows: [(sequence: Int, logits: [Float])]) -> [Float] {
        var w = FloatWriter()
        for row in rows { w.put(row.sequence); w.put(row.logits.count); w.floats += row.logits }
        return w.floats
    }

    static func decodeLogits(_ floats: [Float]) throws -> [(sequence: Int, logits: [Float])] {
        var r = FloatReader(floats), out: [(Int, [Float])] = []
        while r.at < floats.count {
            let sequence = try r.int(), n = try r.int()
            guard n >= 0, r.at + n <= floats.count else { throw FabricError.logitsTruncated }
            out.append((sequence, Array(floats[r.at..<(r.at + n)])))
            r.at += n
        }
        return out
    }
}
