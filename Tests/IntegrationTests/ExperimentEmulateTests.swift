import Foundation
import MessagePassing
import Testing

/// `tessera experiment run` with an emulate step under real `mpirun`: the rows hold exactly what a
/// direct `tessera emulate` of the same plan prints, and a second run gives the same CSV.
@Suite(.serialized) struct ExperimentEmulateTests {
    static let root = MPIRunTests.packageRoot.path
    static let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("tessera-experiment-emulate-tests-\(getpid())").path

    /// A tiny experiment: tiny-llama as TP 2 × PP 2 on the Corsair-style rack, 2 decode steps.
    func experimentFile() throws -> String {
        try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        let path = "\(Self.directory)/tiny-emulate.yaml"
        let yaml = """
            name: tiny-emulate
            description: tiny-llama emulated against predicted.
            steps:
              - emulate:
                  table: tiny
                  scenario: \(Self.root)/Workloads/scenarios/tiny-test.json
                  decodeSteps: 2
                  timeoutSeconds: 60
                  plans:
                    - { name: tiny-tp2-pp2, model: \(Self.root)/Workloads/tiny-llama.json, cluster: \(Self.root)/Clusters/corsair-rack.yaml, precision: mxint8, tp: 2, pp: 2, batch: 1 }
            """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func runExperiment(_ file: String, into folder: String) throws {
        let r = try PlanCommandTests().tessera(["experiment", "run", file, "-o", folder])
        try #require(r.status == 0, "tessera experiment run failed: \(r.err)")
    }

    @Test func emulatedRowsAreWhatADirectEmulationPrints() throws {
        try #require(FileManager.default.isExecutableFile(atPath: MPIRunTests.tessera), "build first: swift build")
        let file = try experimentFile()
        let a = "\(Self.directory)/a", b = "\(Self.directory)/b"
        try runExperiment(file, into: a)
        try runExperiment(file, into: b)
        let csv = try String(contentsOfFile: "\(a)/tables/tiny.csv", encoding: .utf8)
        #expect(try String(contentsOfFile: "\(b)/tables/tiny.csv", encoding: .utf8) == csv)

        // The same plan, emulated directly.
        let outcome = try MPILauncher.run(ranks: 4, executable: MPIRunTests.tessera,
                                          arguments: ["emulate", "\(a)/plans/tiny-tp2-pp2.json", "--stats", "--steps", "2"],
                                          timeoutSeconds: 60)
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let line = try #require(outcome.output.split(separator: "\n").first { $0.hasPrefix("EMULATE ") })
        var f: [String: String] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { f[String(parts[0])] = String(parts[1]) }
        }
        let ttft = try #require(f["ttftms"]), tpot = try #require(f["tpotms"]), tokens = try #require(f["tokenspersec"])
        let predictedTtft = try #require(f["predictedttftms"]), predictedTpot = try #require(f["predictedtpotms"])
        let messages = try #require(f["messages"])
        func diff(_ x: String, _ y: String) -> String { "\((Double(x)! / Double(y)! - 1) * 100)" }
        let prefix = "tiny-tp2-pp2,default,tiny-llama,corsair-rack,TP2 PP2 DP1,1,4,static batch 1,2,\(messages)"
        let rows = csv.split(separator: "\n").map(String.init)
        #expect(rows.count == 4)
        #expect(rows.first == "plan,variant,model,cluster,strategy,batch,ranks,load,decodeSteps,messages,metric,unit,emulated,predicted,diffPercent,note")
        #expect(rows.dropFirst().first?.hasPrefix("\(prefix),TTFT,ms,\(ttft),\(predictedTtft),\(diff(ttft, predictedTtft)),") == true,
                "\(rows)")
        #expect(rows.dropFirst(2).first?.hasPrefix("\(prefix),TPOT,ms,\(tpot),\(predictedTpot),\(diff(tpot, predictedTpot)),") == true,
                "\(rows)")
        #expect(rows.last?.hasPrefix("\(prefix),tokens/s,tokens/s,\(tokens),") == true, "\(rows)")
        // Wall times are kept out of the CSV, in timings.txt.
        let timings = try String(contentsOfFile: "\(a)/timings.txt", encoding: .utf8)
        #expect(timings.contains("tiny/tiny-tp2-pp2/default 4 ranks: emulation wall"))
    }
}
