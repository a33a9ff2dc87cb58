import Foundation
import MessagePassing
import Testing

/// Issue #11's acceptance under real `mpirun`: with one request stream at low load the emulator,
/// which prices its own tiles and queues its own messages, agrees with the planner's TTFT and
/// TPOT within 5% (the bound was set before the figures were seen); at high load it does not,
/// and it names the effect the planner leaves out. Plans of Experiments/emulation-agreement.yaml.
@Suite(.serialized) struct EmulationAgreementTests {
    static let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("tessera-agreement-tests-\(getpid())").path

    /// Plans a shipped model on a shipped cluster, 1,024 → `output` tokens, static batching.
    func plan(_ name: String, _ flags: [String], output: Int = 64) throws -> String {
        try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        let path = "\(Self.directory)/\(name).json"
        let r = try PlanCommandTests().tessera(["plan", "--scenario", "Workloads/scenarios/chat.json", "--input-tokens", "1024",
                                                "--output-tokens", "\(output)", "--mode", "static", "-o", path] + flags)
        try #require(r.status == 0, "tessera plan failed: \(r.err)")
        return path
    }

    /// Runs `tessera emulate --stats` on `ranks` ranks; the EMULATE line's fields and the notes.
    func emulate(_ ranks: Int, _ arguments: [String]) throws -> (fields: [String: Double], notes: [String]) {
        let outcome = try MPILauncher.run(ranks: ranks, executable: MPIRunTests.tessera,
                                          arguments: ["emulate"] + arguments + ["--stats", "--watchdog-seconds", "60"],
                                          timeoutSeconds: 300)
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let lines = outcome.output.split(separator: "\n")
        let line = try #require(lines.first { $0.hasPrefix("EMULATE ") }, "\(outcome.output)")
        var fields: [String: Double] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let v = Double(parts[1]) { fields[String(parts[0])] = v }
        }
        return (fields, lines.filter { $0.hasPrefix("note: ") }.map { String($0.dropFirst(6)) })
    }

    func percent(_ f: [String: Double], _ metric: String) throws -> Double {
        let emulated = try #require(f["\(metric)ms"]), predicted = try #require(f["predicted\(metric)ms"])
        return (emulated / predicted - 1) * 100
    }

    /// Four requests, Poisson at 0.01/s (one in flight at a time), on a PP 8 GPU pipeline, a
    /// TP 4 × PP 2 GPU plan whose prefill all-reduces are large (NCCL's measured bandwidth), a
    /// TP 4 × PP 4 Corsair-style plan, and Mixtral with EP at batch 1 (one attention-DP rank holds
    /// the request, the rest run empty): EP 4 on GB200 (NCCL's measured all-to-all) and EP 8
    /// across three Corsair levels: p50 TTFT and TPOT within 5% of the prediction.
    @Test(arguments: [
        ("llama-3-8b-dgx-h100-pp8", 8, ["--model", "Workloads/llama-3-8b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                        "--pp", "8", "--batch", "1"]),
        ("llama-3-70b-dgx-h100-tp4-pp2", 8, ["--model", "Workloads/llama-3-70b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                             "--tp", "4", "--pp", "2", "--batch", "1"]),
        ("llama-3-8b-corsair-tp4-pp4", 16, ["--model", "Workloads/llama-3-8b.json", "--cluster", "Clusters/corsair-rack.yaml",
                                            "--precision", "mxint8", "--tp", "4", "--pp", "4", "--batch", "1"]),
        ("mixtral-gb200-tp2-ep4", 8, ["--model", "Workloads/mixtral-8x7b.json", "--cluster", "Clusters/gb200-nvl72.yaml",
                                      "--tp", "2", "--ep", "4", "--batch", "1"]),
        ("mixtral-corsair-tp2-ep8", 16, ["--model", "Workloads/mixtral-8x7b.json", "--cluster", "Clusters/corsair-rack.yaml",
                                         "--precision", "mxint8", "--tp", "2", "--ep", "8", "--batch", "1"]),
    ])
    func aLowLoadStreamAgreesWithinFivePercent(name: String, ranks: Int, flags: [String]) throws {
        let path = try plan(name, flags)
        let (f, notes) = try emulate(ranks, [path, "--requests", "4", "--rate", "0.01", "--seed", "1"])
        for metric in ["ttft", "tpot"] {
            let d = try percent(f, metric)
            #expect(abs(d) <= 5, "\(name) \(metric) \(d)% off the prediction; \(notes)")
        }
        #expect(notes.isEmpty, "\(notes)")
    }

    /// A disaggregated plan under mpirun: Llama-3-8B prefilled on TP 2 GPUs and decoded on two
    /// more of the DGX-H100 node, four requests one at a time. The decode pool takes in exactly
    /// 4 × 32 layers × 8 KV heads × 128 × 2 × 1,024 tokens × 2 bytes over NVLink; TTFT is the
    /// colocated TP 2 plan's prefill plus that hand-off, and both figures agree within 5%.
    @Test func aDisaggregatedPlanHandsEachPromptsKVToTheDecodePool() throws {
        let path = try plan("disaggregated", ["--model", "Workloads/llama-3-8b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                              "--tp", "2", "--batch", "1", "--prefill-tp", "2"])
        let stream = [path, "--requests", "4", "--rate", "0.01", "--seed", "1"]
        let outcome = try MPILauncher.run(ranks: 4, executable: MPIRunTests.tessera,
                                          arguments: ["emulate"] + stream + ["--watchdog-seconds", "60"], timeoutSeconds: 300)
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let handOff = try #require(outcome.output.split(separator: "\n").first { $0.hasPrefix("K/V hand-off: ") }, "\(outcome.output)")
        #expect(handOff.hasPrefix("K/V hand-off: 4 requests, 536870912 bytes moved from the prefill pool to the decode pool; "))
        let transferMs = try #require(Double(handOff.split(separator: ";")[1].split(separator: " ")[0]), "\(handOff)")
        let (f, notes) = try emulate(4, stream)
        for metric in ["ttft", "tpot"] { #expect(abs(try percent(f, metric)) <= 5, "\(metric): \(notes)") }
        let colocated = try plan("colocated-tp2", ["--model", "Workloads/llama-3-8b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                                   "--tp", "2", "--batch", "1"])
        let (alone, _) = try emulate(2, [colocated] + stream.dropFirst())
        let ttft = try #require(f["ttftms"]), prefill = try #require(alone["ttftms"])
        #expect(transferMs > 0 && abs(ttft - prefill - transferMs) < 1e-3, "TTFT \(ttft) ms, prefill \(prefill) ms, hand-off \(transferMs) ms")
    }

    /// Mixtral at the smallest static batch with a sequence per EP rank, 8 decode steps: EP 8 on
    /// DGX-H100, whose all-to-alls pay NCCL's measured fixed cost in both models (before the
    /// emulator took it from the chip's tables, its TPOT ran 6.7% under), and an EP pair inside
    /// a Corsair package under PP 4. TTFT and TPOT within 5%.
    @Test(arguments: [
        ("mixtral-dgx-h100-ep8-batch8", 8, ["--model", "Workloads/mixtral-8x7b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                            "--ep", "8", "--batch", "8"]),
        ("mixtral-corsair-tp2-ep2-pp4-batch2", 16, ["--model", "Workloads/mixtral-8x7b.json", "--cluster", "Clusters/corsair-rack.yaml",
                                                    "--precision", "mxint8", "--tp", "2", "--ep", "2", "--pp", "4", "--batch", "2"]),
    ])
    func moeWithExpertParallelismAgreesWithinFivePercent(name: String, ranks: Int, flags: [String]) throws {
        let path = try plan(name, flags)
        let (f, notes) = try emulate(ranks, [path, "--steps", "8"])
        for metric in ["ttft", "tpot"] { #expect(abs(try percent(f, metric)) <= 5, "\(name) \(metric): \(notes)") }
    }

    /// A PP 8 pipeline of 8 microbatches: the overlapped host step (2 ms a microbatch in the
    /// TensorRT-LLM profile) paces it in both models. Before the emulator modelled the host, it
    /// ran 46% under the planner's TPOT.
    @Test func aHostPacedPipelineAgreesWithinTenPercent() throws {
        let path = try plan("pp8-batch8", ["--model", "Workloads/llama-3-8b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                           "--pp", "8", "--batch", "8"])
        let (f, notes) = try emulate(8, [path, "--steps", "8"])
        #expect(abs(try percent(f, "ttft")) <= 5, "\(notes)")
        #expect(abs(try percent(f, "tpot")) <= 10, "\(notes)")
    }

    /// Sixteen requests at 1,000/s on a batch-1 plan: they queue for its one slot, so the p50 TTFT
    /// is far over the prediction, and the note says the planner has no queue.
    @Test func highLoadNamesQueueingAsWhatThePlannerLeavesOut() throws {
        let path = try plan("tp2-high", ["--model", "Workloads/llama-3-8b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                         "--tp", "2", "--batch", "1"], output: 16)
        let (f, notes) = try emulate(2, [path, "--requests", "16", "--rate", "1000", "--seed", "1"])
        #expect(try percent(f, "ttft") > 100)
        let ttft = try #require(notes.first { $0.hasPrefix("TTFT p50 +") }, "\(notes)")
        #expect(ttft.contains("queueing: requests waited") && ttft.contains("which the planner's TTFT leaves out (it has no queue)"))
    }
}
