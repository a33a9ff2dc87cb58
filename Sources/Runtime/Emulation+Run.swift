import Foundation
import Planner

extension Emulation {
    /// Runs this rank's program. Checks rank count and plan hash first (clear errors naming both
    /// figures). Returns the gathered result on rank 0, nil elsewhere.
    public static func run(plan: Plan, fabric: Fabric, options: EmulationOptions) throws -> EmulationResult? {
        try checkRanks(plan: plan, fabric: fabric, options: options)
        let chiplets = Lowering.emulatedChiplets(plan, oneReplica: options.oneReplica)
        var rankOf = [Int](repeating: -1, count: plan.chiplets.count)
        for (rank, c) in chiplets.enumerated() { rankOf[c] = rank }
        let program = try Lowering.program(plan: plan, chiplet: chiplets[fabric.rank], decodeSteps: options.decodeSteps)
        let executor = Executor(program: program, fabric: fabric, link: LinkModel(plan), rankOf: rankOf,
                                tracing: options.tracePath != nil)
        let numeric = options.numeric ? try NumericEngineFactory.make(plan: plan, program: program, options: options) : nil
        executor.engine = numeric
        try executor.run()
        return try gather(plan: plan, fabric: fabric, options: options, executor: executor, numeric: numeric)
    }

    /// Rank count and plan hash, before any work starts.
    static func checkRanks(plan: Plan, fabric: Fabric, options: EmulationOptions) throws {
        let needed = ranksNeeded(plan, oneReplica: options.oneReplica)
        if fabric.size != needed {
            let what = options.oneReplica
                ? "one data-parallel replica of the plan (\(plan.strategy)) has \(needed) chiplets"
                : "the plan (\(plan.strategy)) has \(needed) chiplets"
            throw FabricError("\(fabric.size) ranks started but \(what); start \(needed) ranks"
                + (options.oneReplica || plan.strategy.dp == 1 ? "" : ", or \(plan.strategy.chipletsPerReplica) with --one-replica"))
        }
        let mine = planHash(plan)
        let hashes = try fabric.allGather(mine)
        if let other = hashes.firstIndex(where: { $0 != hashes[0] }) {
            throw FabricError("ranks hold different plans: rank 0 has plan hash \(hex(hashes[0])), rank \(other) has "
                + "\(hex(hashes[other])); give every rank the same plan file")
        }
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    /// Every rank sends its figures (and trace, and final logits) to rank 0, which builds the result.
    static func gather(plan: Plan, fabric: Fabric, options: EmulationOptions, executor: Executor,
                       numeric: NumericEngine?) throws -> EmulationResult? {
        let base = Int(Purpose.result.tagBase)
        let tracing = options.tracePath != nil
        let logits = numeric?.finalLogits ?? []
        if fabric.rank != 0 {
            try fabric.send(Message(source: fabric.rank, tag: base, sendTimeS: 0, arrivalTimeS: 0, bytes: 0,
                                    payload: executor.figures.encoded()), to: 0)
            if tracing {
                try fabric.send(Message(source: fabric.rank, tag: base + 1, sendTimeS: 0, arrivalTimeS: 0, bytes: 0,
                                        payload: TraceRecord.encoded(executor.trace ?? [])), to: 0)
            }
            if options.numeric {
                try fabric.send(Message(source: fabric.rank, tag: base + 2, sendTimeS: 0, arrivalTimeS: 0, bytes: 0,
                                        payload: encodeLogits(logits)), to: 0)
            }
            return nil
        }
        var figures = [executor.figures]
        var traces = [executor.trace ?? []]
        var allLogits = logits
        for r in 1..<max(fabric.size, 1) {
            let m = try fabric.receive(from: r, tag: base, waiting: "results from rank \(r)")
            figures.append(try ChipletFigures(decoding: m.payload))
            if tracing {
                traces.append(try TraceRecord.decoded(fabric.receive(from: r, tag: base + 1, waiting: "trace from rank \(r)").payload))
            }
            if options.numeric {
                allLogits += try decodeLogits(fabric.receive(from: r, tag: base + 2, waiting: "logits from rank \(r)").payload)
            }
        }
        var result = summarise(plan: plan, figures: figures, options: options)
        if options.numeric {
            result.maxRelativeError = try NumericEngineFactory.compare(plan: plan, options: options, logits: allLogits)
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
            guard n >= 0, r.at + n <= floats.count else { throw FabricError("logits payload is truncated") }
            out.append((sequence, Array(floats[r.at..<(r.at + n)])))
            r.at += n
        }
        return out
    }
}
