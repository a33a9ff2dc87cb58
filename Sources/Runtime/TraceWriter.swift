import Foundation
import Planner

/// Writes one Chrome trace-event JSON (opens in Perfetto, chrome://tracing) in virtual
/// microseconds: a process per innermost unit (package), named with its place at every level,
/// and a thread per chiplet with its compute tiles, sends, receives and idle waits.
struct TraceWriter {
    let plan: Plan
    let options: EmulationOptions

    func write(figures: [ChipletFigures], traces: [[TraceRecord]], to path: String) throws {
        let programs = try Lowering.lower(plan: plan, oneReplica: options.oneReplica, decodeSteps: options.decodeSteps)
        let levels = plan.levels
        var out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
        var first = true
        func emit(_ event: String) {
            if !first { out += ",\n" }
            first = false
            out += event
        }
        var named = Set<Int>()
        for (rank, program) in programs.enumerated() where rank < traces.count {
            let c = program.chiplet
            let pid = levels.isEmpty ? 0 : c / levels[0].chipletsPerUnit
            if named.insert(pid).inserted {
                let place = levels.enumerated().reversed().map { i, l in "\(l.name) \(c / l.chipletsPerUnit)" }
                    .joined(separator: " / ")
                emit("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":\(pid),\"args\":{\"name\":\(quoted(place))}}")
                emit("{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":\(pid),\"args\":{\"sort_index\":\(pid)}}")
            }
            var thread = "chiplet \(c) (stage \(program.stage), tp \(program.tpRank)"
            if plan.strategy.ep > 1 { thread += ", ep \(program.epRank)" }
            if plan.strategy.dp > 1 { thread += ", dp \(program.dpRank)" }
            thread += ")"
            emit("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":\(pid),\"tid\":\(c),\"args\":{\"name\":\(quoted(thread))}}")
            emit("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":\(pid),\"tid\":\(c),\"args\":{\"sort_index\":\(c)}}")
            let segments = [program.prefill, program.decodeStep, program.epilogue]
            for record in traces[rank] {
                let segment = Int(record.segment), index = Int(record.index)
                guard segment < segments.count, index < segments[segment].count else { continue }
                let ts = record.startS * 1e6, dur = (record.endS - record.startS) * 1e6
                let head = "\"pid\":\(pid),\"tid\":\(c),\"ts\":\(number(ts))"
                switch segments[segment][index] {
                case .compute(let k):
                    let layer = k.layer >= 0 ? "layer \(k.layer) " : ""
                    let name = "\(layer)\(program.ops[Int(k.op)]) tiles \(k.tile)–\(k.tile + k.tileCount - 1)/\(k.tiles)"
                    emit("{\"ph\":\"X\",\"cat\":\"compute\",\"name\":\(quoted(name)),\(head),\"dur\":\(number(dur)),"
                         + "\"args\":{\"phase\":\"\(k.phase)\",\"step\":\(record.step)}}")
                case .send(let t):
                    emit("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"send\",\"name\":\(quoted("send " + t.what)),\(head),"
                         + "\"args\":{\"to\":\(t.peer),\"bytes\":\(number(t.bytes)),\"step\":\(record.step)}}")
                case .recv(let t):
                    if dur > 0 {
                        emit("{\"ph\":\"X\",\"cat\":\"idle\",\"name\":\(quoted("wait for " + t.what)),\(head),\"dur\":\(number(dur))}")
                    }
                    emit("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"recv\",\"name\":\(quoted("recv " + t.what)),"
                         + "\"pid\":\(pid),\"tid\":\(c),\"ts\":\(number(record.endS * 1e6)),"
                         + "\"args\":{\"from\":\(t.peer),\"bytes\":\(number(t.bytes)),\"step\":\(record.step)}}")
                case .barrier:
                    emit("{\"ph\":\"X\",\"cat\":\"idle\",\"name\":\"barrier\",\(head),\"dur\":\(number(dur))}")
                }
            }
        }
        out += "\n]}\n"
        do {
            try Data(out.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw FabricError.traceNotWritten(path: path, reason: error.localizedDescription)
        }
    }

    private func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6f", x) : "0" }

    private func quoted(_ s: String) -> String {
        var r = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            default: r.unicodeScalars.append(ch)
            }
        }
        return r + "\""
    }
}
