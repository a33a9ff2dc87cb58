import CostModel
import Foundation

/// The executable artifact `tessera lower` writes: one JSON-lines file per chiplet. Line 1 is the
/// header (schema, the chiplet's ranks, the op and kernel tables, and how many instructions each
/// section has); every later line is one instruction, tagged with its section, in execution order
/// (prefill, the decode step that repeats `decodeSteps` times, epilogue). README "Program files"
/// documents the fields. A reader checks `schema` first; a change that alters a field's meaning
/// bumps the number.
extension Program {
    public static let schema = "tessera.program/1"

    struct Header: Codable {
        var schema: String
        var chiplet: Int
        var stage: Int
        var tpRank: Int
        var epRank: Int
        var dpRank: Int
        var decodeSteps: Int
        var ops: [String]
        var kernels: [KernelGroup]
        /// Instruction lines that follow, per section.
        var prefill: Int
        var decodeStep: Int
        var epilogue: Int
    }

    /// One instruction: exactly one of compute, send, recv and barrier is present.
    struct Line: Codable {
        var section: String
        var compute: Compute?
        var send: Transfer?
        var recv: Transfer?
        var barrier: Bool?
    }

    /// The program as JSON lines (keys sorted, so the bytes are the same on every run).
    public func jsonLines() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = try encoder.encode(Header(schema: Program.schema, chiplet: chiplet, stage: stage, tpRank: tpRank, epRank: epRank,
                                            dpRank: dpRank, decodeSteps: decodeSteps, ops: ops, kernels: kernels,
                                            prefill: prefill.count, decodeStep: decodeStep.count, epilogue: epilogue.count))
        for (section, list) in [("prefill", prefill), ("decodeStep", decodeStep), ("epilogue", epilogue)] {
            for i in list {
                var line = Line(section: section)
                switch i {
                case .compute(let c): line.compute = c
                case .send(let t): line.send = t
                case .recv(let t): line.recv = t
                case .barrier: line.barrier = true
                }
                out.append(0x0A)
                out.append(try encoder.encode(line))
            }
        }
        out.append(0x0A)
        return out
    }

    /// Reads a program written by `jsonLines()`; errors name the line and what was expected.
    public init(jsonLines data: Data) throws {
        let decoder = JSONDecoder()
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
        guard let first = lines.first else { throw LowerError(description: "line 1: expected the program header, got an empty file") }
        let h: Header
        do { h = try decoder.decode(Header.self, from: Data(first)) } catch {
            throw LowerError(description: "line 1: expected the program header (\(error.localizedDescription))")
        }
        guard h.schema == Program.schema else {
            throw LowerError(description: "line 1: schema \"\(h.schema)\"; this tessera reads \"\(Program.schema)\"")
        }
        guard [h.prefill, h.decodeStep, h.epilogue].allSatisfy({ $0 >= 0 }), h.prefill + h.decodeStep + h.epilogue == lines.count - 1 else {
            throw LowerError(description: "line 1: the header counts \(h.prefill) + \(h.decodeStep) + \(h.epilogue) instructions; "
                + "the file has \(lines.count - 1)")
        }
        var sections: [String: [Instruction]] = [:]
        for (n, bytes) in lines.dropFirst().enumerated() {
            let line: Line
            do { line = try decoder.decode(Line.self, from: Data(bytes)) } catch {
                throw LowerError(description: "line \(n + 2): expected an instruction (\(error.localizedDescription))")
            }
            let present = [line.compute != nil, line.send != nil, line.recv != nil, line.barrier == true].filter { $0 }.count
            guard present == 1, ["prefill", "decodeStep", "epilogue"].contains(line.section) else {
                throw LowerError(description: "line \(n + 2): expected a section (prefill, decodeStep, epilogue) and one of compute, send, recv, barrier")
            }
            let i: Instruction = line.compute.map { .compute($0) } ?? line.send.map { .send($0) } ?? line.recv.map { .recv($0) } ?? .barrier
            sections[line.section, default: []].append(i)
        }
        let counts = [("prefill", h.prefill), ("decodeStep", h.decodeStep), ("epilogue", h.epilogue)]
        for (name, count) in counts where sections[name]?.count ?? 0 != count {
            throw LowerError(description: "line 1: the header counts \(count) \(name) instructions; the file has \(sections[name]?.count ?? 0)")
        }
        self.init(chiplet: h.chiplet, stage: h.stage, tpRank: h.tpRank, epRank: h.epRank, dpRank: h.dpRank, ops: h.ops,
                  kernels: h.kernels, prefill: sections["prefill"] ?? [], decodeStep: sections["decodeStep"] ?? [],
                  decodeSteps: h.decodeSteps, epilogue: sections["epilogue"] ?? [])
    }
}
