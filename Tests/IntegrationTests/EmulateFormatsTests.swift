import Foundation
import MessagePassing
import Testing

/// Numeric emulation in quantised formats under real `mpirun`: the partitioned run matches the
/// unpartitioned model in the same formats, and the formats' cost against FP32 lies within
/// bounds written down before these formats were first run (reasoning in each case).
@Suite(.serialized) struct EmulateFormatsTests {
    struct Figures {
        var sameFormats: Double
        var maxRelative: Double
        var top1: Double
        var kl: Double
    }

    /// Plans tiny-llama at TP 2 × PP 2 on HGX B200 (which prices fp8 and fp4) in `formats`, runs it
    /// on 4 ranks, and reads rank 0's figures.
    func run(_ name: String, formats: String) throws -> Figures {
        let dir = EmulateRunTests.directory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/formats-\(name).json"
        let plan = Process()
        plan.executableURL = URL(fileURLWithPath: MPIRunTests.tessera)
        plan.currentDirectoryURL = URL(fileURLWithPath: EmulateRunTests.root)
        plan.arguments = ["plan", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/hgx-b200.yaml",
                          "--scenario", "Workloads/scenarios/tiny-test.json", "--tp", "2", "--pp", "2",
                          "--formats", formats, "-o", path]
        plan.standardOutput = FileHandle.nullDevice
        plan.standardError = FileHandle.nullDevice
        try plan.run()
        plan.waitUntilExit()
        try #require(plan.terminationStatus == 0, "tessera plan --formats \(formats) failed")
        let outcome = try MPILauncher.run(ranks: 4, executable: MPIRunTests.tessera,
                                          arguments: ["emulate", path, "--numeric", "--watchdog-seconds", "60"],
                                          timeoutSeconds: 300)
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let text = outcome.output
        func number(after label: String, in line: Substring) -> Double? {
            guard let r = line.range(of: label) else { return nil }
            return Double(line[r.upperBound...].prefix { "0123456789.e+-".contains($0) })
        }
        let same = try #require(text.split(separator: "\n").first { $0.hasPrefix("max relative error ") })
        let fp32 = try #require(text.split(separator: "\n").first { $0.hasPrefix("against FP32") }, "\(text)")
        #expect(text.contains("formats: \(formats) (attention weights"), "\(text)")
        return Figures(sameFormats: try #require(number(after: "max relative error ", in: same)),
                       maxRelative: try #require(number(after: "max relative logit error ", in: fp32)),
                       top1: try #require(number(after: "top-1 agreement ", in: fp32)) / 100,
                       kl: try #require(number(after: "KL divergence ", in: fp32)))
    }

    /// MXINT4 weights (4 bits, a power-of-two scale per 32): a weight's rounding error is up to
    /// 1/8 of its block's largest, ~4% rms of the weights, so logits move by a few percent of
    /// their range: bounded 0.5%…50%, top-1 ≥ 60%. FP8 K/V and bf16 activations add little.
    /// Partitioned and unpartitioned round the same values the same way: ≤ 1e-3 (bf16
    /// activations can flip a rounding where the TP sums differ in the last bit).
    @Test func mxint4WeightsWithFP8KVCache() throws {
        let f = try run("mxint4", formats: "attention=mxint4,mlp=mxint4,activations=bf16,kv=fp8-e4m3")
        #expect(f.sameFormats <= 1e-3)
        #expect(f.maxRelative > 0.005 && f.maxRelative < 0.5, "max relative logit error \(f.maxRelative)")
        #expect(f.top1 >= 0.6, "top-1 agreement \(f.top1)")
        #expect(f.kl < 0.1, "KL \(f.kl)")
    }

    /// FP8 E4M3 throughout (3 mantissa bits: ≤ 6.25% per element, ~2% rms; one scale per
    /// tensor, calibrated for activations and K/V): logits within 0.1%…20%, top-1 ≥ 80%.
    @Test func fp8E4M3Throughout() throws {
        let f = try run("fp8", formats: "fp8-e4m3")
        #expect(f.sameFormats <= 1e-3)
        #expect(f.maxRelative > 0.001 && f.maxRelative < 0.2, "max relative logit error \(f.maxRelative)")
        #expect(f.top1 >= 0.8, "top-1 agreement \(f.top1)")
        #expect(f.kl < 0.02, "KL \(f.kl)")
    }
}
