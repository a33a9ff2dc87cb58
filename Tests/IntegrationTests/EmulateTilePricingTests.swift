import Foundation
import MessagePassing
import Testing

/// Under real `mpirun`, each rank prices its tiles itself: a plan whose predicted op times are
/// all zeroed emulates to the same virtual times, and `tessera lower` states each tile's shape.
@Suite(.serialized) struct EmulateTilePricingTests {
    let run = EmulateRunTests()

    /// The `EMULATE` stats line's virtual figures.
    func figures(_ output: String) throws -> [String: String] {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("EMULATE ") })
        var out: [String: String] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }

    @Test func zeroedOpTimesEmulateToTheSameVirtualTimes() throws {
        let path = try run.plan("pricing-tp2pp2", ["--tp", "2", "--pp", "2"])
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: #""(prefill|decode)Seconds" *: *[-0-9.e+]+"#, with: "\"$1Seconds\":0",
                                         options: .regularExpression)
        let zeroed = path.replacingOccurrences(of: ".json", with: "-zeroed.json")
        try text.write(toFile: zeroed, atomically: true, encoding: .utf8)
        let a = try run.emulate(4, [path, "--stats"]), b = try run.emulate(4, [zeroed, "--stats"])
        #expect(a.exitStatus == 0 && b.exitStatus == 0, "\(a.errorOutput)\(b.errorOutput)")
        let fa = try figures(a.output), fb = try figures(b.output)
        #expect(fa["ttftms"] != nil && fa["ttftms"] == fb["ttftms"] && fa["tpotms"] == fb["tpotms"])
    }

    @Test func lowerStatesEachTilesShape() throws {
        let path = try run.plan("pricing-lower", ["--tp", "2"])
        let out = EmulateRunTests.directory + "/pricing-programs"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MPIRunTests.tessera)
        process.arguments = ["lower", path, "-o", out, "--steps", "1"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let program = try String(contentsOfFile: out + "/chiplet-0.jsonl", encoding: .utf8)
        // tiny-llama TP 2: q/k/v as one GEMM of N 256, K 256 in MXINT8 over the 2 × 16-token prompts.
        #expect(program.contains(#""shape":{"context":0,"dtype":"mxint8","k":256,"kind":"gemm","m":32,"n":256,"promptTokens":16,"sequences":2}"#))
    }
}
