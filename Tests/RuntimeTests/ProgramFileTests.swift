import Foundation
import Planner
import Testing
@testable import Runtime

/// The executable artifact: tessera.program/1 JSON lines read back to the same program, and a
/// file that is not one refused naming the line.
@Suite struct ProgramFileTests {
    @Test func jsonLinesRoundTrip() throws {
        let programs = try Lowering.lower(plan: try Fixtures.plan(tp: 2, pp: 2), decodeSteps: 2)
        for p in programs {
            let data = try p.jsonLines()
            let lines = data.split(separator: 0x0A)
            // A header, then one line per instruction of the three sections.
            #expect(lines.count == 1 + p.prefill.count + p.decodeStep.count + p.epilogue.count)
            #expect(String(decoding: lines[0], as: UTF8.self).contains(#""schema":"tessera.program/1""#))
            let back = try Program(jsonLines: data)
            #expect(back.prefill == p.prefill && back.decodeStep == p.decodeStep && back.epilogue == p.epilogue)
            #expect(back.kernels == p.kernels && back.ops == p.ops && back.decodeSteps == 2)
            #expect(try back.jsonLines() == data)
        }
    }

    @Test func otherSchemasAndShortFilesAreRefusedByLine() throws {
        let p = try Lowering.lower(plan: try Fixtures.plan(tp: 2, pp: 2), decodeSteps: 1)[0]
        let text = String(decoding: try p.jsonLines(), as: UTF8.self)
        let older = text.replacingOccurrences(of: "tessera.program/1", with: "tessera.program/0")
        let schema = #expect(throws: LowerError.self) { try Program(jsonLines: Data(older.utf8)) }
        #expect(schema?.description == #"line 1: schema "tessera.program/0"; this tessera reads "tessera.program/1""#)
        var lines = text.split(separator: "\n")
        lines.removeLast()
        let short = #expect(throws: LowerError.self) { try Program(jsonLines: Data(lines.joined(separator: "\n").utf8)) }
        #expect(short?.description == "line 1: the header counts \(p.prefill.count) + \(p.decodeStep.count) + \(p.epilogue.count) "
            + "instructions; the file has \(lines.count - 1)")
        lines[1] = #"{"section":"prefill","barrier":true,"send":{}}"#
        lines.append(#"{"section":"prefill","barrier":true}"#)
        let bad = #expect(throws: LowerError.self) { try Program(jsonLines: Data(lines.joined(separator: "\n").utf8)) }
        #expect(bad?.description.hasPrefix("line 2: expected an instruction") == true)
    }
}
