import Foundation
import MessagePassing
import Testing

/// Request streams under real `mpirun`: the scheduler on each replica's first rank, one CSV row
/// per request, virtual times independent of how ranks wait, bad traces as one-line errors.
@Suite(.serialized) struct EmulateStreamTests {
    let run = EmulateRunTests()

    @Test func aPoissonStreamServesEveryRequestAlikeUnderEveryWaitPolicy() throws {
        let path = try run.plan("stream-tp2pp2", ["--tp", "2", "--pp", "2"])
        var csvs: [String] = []
        for wait in ["spin", "cooperative"] {
            let csv = EmulateRunTests.directory + "/stream-\(wait).csv"
            let outcome = try run.emulate(4, [path, "--requests", "20", "--rate", "20000", "--seed", "3",
                                              "--requests-csv", csv, "--wait", wait])
            #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
            #expect(outcome.output.contains("serving 20 requests (20 served)"))
            #expect(outcome.output.contains("TTFT ms") && outcome.output.contains("goodput 20 of 20 requests"))
            csvs.append(try String(contentsOfFile: csv, encoding: .utf8))
        }
        let rows = csvs[0].split(separator: "\n")
        #expect(rows.count == 21 && rows[0].hasPrefix("id,replica,arrival_s,input_tokens,output_tokens,"))
        #expect(rows.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 10 })
        #expect(csvs[0] == csvs[1])
    }

    @Test func aBadTraceIsOneLineNamingFileAndLine() throws {
        let path = try run.plan("stream-bad", ["--tp", "2"])
        let trace = EmulateRunTests.directory + "/bad-trace.csv"
        try "arrival_s,input_tokens,output_tokens\n0.1,12,x\n".write(toFile: trace, atomically: true, encoding: .utf8)
        let outcome = try run.emulate(2, [path, "--trace-in", trace])
        #expect(outcome.exitStatus != 0)
        let lines = outcome.errorOutput.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(lines == ["error: \(trace):2: output_tokens: expected a whole number from 1 to 100000000, got x"])
    }
}
