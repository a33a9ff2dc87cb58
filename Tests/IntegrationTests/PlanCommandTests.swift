import Foundation
import Testing

/// `tessera plan` as a user runs it: exit codes, the JSON contract, errors naming the file.
@Suite struct PlanCommandTests {
    struct Run { var status: Int32; var out: String; var err: String }

    /// Runs the built binary; `stdout` replaces the captured pipe (e.g. /dev/full), and `out` is then empty.
    func tessera(_ arguments: [String], stdout: FileHandle? = nil) throws -> Run {
        try #require(FileManager.default.isExecutableFile(atPath: MPIRunTests.tessera),
                     "build the binary first: swift build (make test does)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: MPIRunTests.tessera)
        p.arguments = arguments
        p.currentDirectoryURL = MPIRunTests.packageRoot
        let out = Pipe(), err = Pipe()
        if let stdout { p.standardOutput = stdout } else { p.standardOutput = out }
        p.standardError = err
        try p.run()
        let o = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    @Test func searchPrintsTheJSONContract() throws {
        let r = try tessera(["plan", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-a100.yaml",
                             "--input-tokens", "64", "--output-tokens", "16", "--max-batch", "8", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        for key in ["feasible", "strategy", "chipsUsed", "batch", "ttftMs", "tpotMs", "outputTokensPerSecond",
                    "outputTokensPerSecondPerChip", "memory", "candidates", "results"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["feasible"] as? Bool == true)
        #expect((json["candidates"] as? Int ?? 0) > 0)
    }

    @Test func infeasibleStrategyExitsTwoWithTheReason() throws {
        let r = try tessera(["plan", "--model", "Workloads/llama-3-70b.json", "--cluster", "Clusters/dgx-h100.yaml",
                             "--tp", "3", "--batch", "1"])
        #expect(r.status == 2)
        #expect(r.out.contains("infeasible: TP 3 does not divide the 64 attention heads of llama-3-70b"))
    }

    /// A dtype the chip lacks is reported against the flags, with the nearest dtype it has and
    /// the shipped clusters whose chip has it.
    @Test func unsupportedDTypeNamesTheFlagAndTheClustersThatHaveIt() throws {
        let r = try tessera(["plan", "--model", "Workloads/llama-3-70b.json", "--cluster", "Clusters/dgx-h100.yaml",
                             "--precision", "fp4", "--tp", "8"])
        #expect(r.status == 1)
        #expect(r.err == "error: H100-SXM has no fp4 (it has bf16, fp16, fp8); pass --weights fp8 --activations fp8, "
            + "or choose a cluster whose chip has fp4 (here: Clusters/gb200-nvl72.yaml, Clusters/hgx-b200.yaml)\n")
    }

    @Test func badClusterFileNamesFileAndKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-plan-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.yaml").path
        let good = try String(contentsOfFile: MPIRunTests.packageRoot.appendingPathComponent("Clusters/dgx-a100.yaml").path, encoding: .utf8)
        try good.replacingOccurrences(of: "matmulEfficiency:", with: "matmulEfficency:").write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try tessera(["plan", "--model", "Workloads/tiny-llama.json", "--cluster", bad])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("error: \(bad): chiplet.compute"))
        #expect(r.err.contains("matmulEfficency"))
    }

    @Test func writesAPlanTheEmulatorCanRead() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-plan-\(getpid()).json").path
        let r = try tessera(["plan", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-a100.yaml",
                             "--scenario", "Workloads/scenarios/tiny-test.json", "--weights", "bf16",
                             "--activations", "bf16", "--kv-cache", "bf16", "--tp", "2", "--pp", "2", "-o", out])
        #expect(r.status == 0, "\(r.err)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        #expect(plan["schema"] as? String == "tessera.plan/1")
        #expect((plan["chiplets"] as? [Any])?.count == 4)
        #expect((plan["stages"] as? [[String: Any]])?.map { $0["layerCount"] as? Int } == [2, 2])
    }
}
