import Foundation
import SafeOutput
import Planner

/// Writes one Chrome trace-event JSON (opens in Perfetto, chrome://tracing) in virtual
/// microseconds, rounded to whole nanoseconds (so slices that meet never overlap): a process per
/// innermost unit (package), named with its place at every level, a thread per chiplet with its
/// compute tiles, sends, receives and idle waits, and a flow arrow from each send to its receive
/// (the k-th send from A to B with a tag is the k-th receive on B from A with that tag).
struct TraceWriter {
    struct FlowKey: Hashable { var source, destination, tag: Int }

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
        // Flow ids: per (source, destination, tag), sends and receives are counted in order.
        var sent: [FlowKey: Int] = [:], received: [FlowKey: Int] = [:]
        var ids: [FlowKey: [Int: Int]] = [:], nextID = 1
        func flowID(_ key: FlowKey, _ k: Int) -> Int {
            if let id = ids[key]?[k] { return id }
            defer { nextID += 1 }
            ids[key, default: [:]][k] = nextID
            return nextID
        }
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
                let startNs = nanoseconds(record.startS), endNs = nanoseconds(record.endS)
                let ts = Double(startNs) / 1e3, dur = Double(endNs - startNs) / 1e3
                let head = "\"pid\":\(pid),\"tid\":\(c),\"ts\":\(number(ts))"
                switch segments[segment][index] {
                case .compute(let k):
                    let layer = k.layer >= 0 ? "layer \(k.layer) " : ""
                    let name = "\(layer)\(program.ops[Int(k.op)]) tiles \(k.tile)–\(k.tile + k.tileCount - 1)/\(k.tiles)"
                    emit("{\"ph\":\"X\",\"cat\":\"compute\",\"name\":\(quoted(name)),\(head),\"dur\":\(number(dur)),"
                         + "\"args\":{\"phase\":\"\(k.phase)\",\"step\":\(record.step)}}")
                case .send(let t):
                    let key = FlowKey(source: c, destination: Int(t.peer), tag: Int(t.tag))
                    let k = sent[key, default: 0]
                    sent[key] = k + 1
                    emit("{\"ph\":\"s\",\"cat\":\"flow\",\"name\":\"message\",\"id\":\(flowID(key, k)),\(head)}")
                    emit("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"send\",\"name\":\(quoted("send " + t.what)),\(head),"
                         + "\"args\":{\"to\":\(t.peer),\"bytes\":\(number(t.bytes)),\"step\":\(record.step)}}")
                case .recv(let t):
                    let key = FlowKey(source: Int(t.peer), destination: c, tag: Int(t.tag))
                    let k = received[key, default: 0]
                    received[key] = k + 1
                    emit("{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"flow\",\"name\":\"message\",\"id\":\(flowID(key, k)),"
                         + "\"pid\":\(pid),\"tid\":\(c),\"ts\":\(number(Double(endNs) / 1e3))}")
                    if dur > 0 {
                        emit("{\"ph\":\"X\",\"cat\":\"idle\",\"name\":\(quoted("wait for " + t.what)),\(head),\"dur\":\(number(dur))}")
                    }
                    emit("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"recv\",\"name\":\(quoted("recv " + t.what)),"
                         + "\"pid\":\(pid),\"tid\":\(c),\"ts\":\(number(Double(endNs) / 1e3)),"
                         + "\"args\":{\"from\":\(t.peer),\"bytes\":\(number(t.bytes)),\"step\":\(record.step)}}")
                case .barrier:
                    emit("{\"ph\":\"X\",\"cat\":\"idle\",\"name\":\"barrier\",\(head),\"dur\":\(number(dur))}")
                }
            }
        }
        out += "\n]}\n"
        do {
            try OutputFile.write(Data(out.utf8), to: path)
        } catch let error as OutputError {
            throw FabricError.traceNotWritten(path: path, reason: error.reason)
        } catch {
            throw FabricError.traceNotWritten(path: path, reason: error.localizedDescription)
        }
    }

    /// Whole nanoseconds of a virtual time.
    private func nanoseconds(_ s: Double) -> Int64 { s.isFinite ? Int64((s * 1e9).rounded()) : 0 }

    /// Microseconds to the nanosecond.
    private func number(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "0" }

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
