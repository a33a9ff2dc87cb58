import ClusterSpec
@testable import CostModel
import ModelGraph
@testable import Planner
import Testing

/// The published measurements of ../shared/reference/calibration.md, as shipped in
/// Experiments/calibration/. Bounds are regression guards on the error the model has today,
/// set from the targets where the model meets them and stated where it does not: the
/// held-out rows were never used by `tessera calibrate`, so their error is out of sample.
@Suite struct CalibrationTests {
    static func report(_ file: String) throws -> ValidationReport {
        let path = Repo.root.path + "/Experiments/calibration/" + file
        return try ValidationReport(try Measurement.load(path: path), calibrator: Calibrator(root: Repo.root.path))
    }

    /// TensorRT-LLM 1.x at maximum load (section B): 67 rows, 20 fitted, 47 held out.
    @Test func trtllm1xHeldOutRows() throws {
        let r = try Self.report("trtllm-1.0.csv")
        #expect(r.lines.count == 67)
        let held = try #require(r.summary(.holdout))
        #expect(held.count == 47)
        // The targets: held-out median within 10%, every held-out row within 35%.
        #expect(held.median <= 0.10, "held-out median |error| \(held.median)")
        for l in r.lines where l.row.split == .holdout {
            #expect(abs(l.error) <= 0.35, "\(l.row.id): \(l.error)")
        }
        // Dense Llama-3.1-8B, where the kernel tables cover every kernel: every held-out row within 30%.
        for l in r.lines where l.row.split == .holdout && l.row.model == "llama-3-8b" {
            #expect(abs(l.error) <= 0.30, "\(l.row.id): \(l.error)")
        }
    }

    /// Rows grouped by cluster keep every row once, in name order, with the split of each group.
    @Test func validationGroupsByCluster() throws {
        let r = try Self.report("trtllm-1.0.csv")
        let groups = r.grouped { $0.cluster }
        #expect(groups.map(\.key) == ["dgx-h100", "gb200-nvl72", "hgx-b200", "hgx-h200"])
        #expect(groups.map { $0.report.lines.count }.reduce(0, +) == 67)
        let gb200 = try #require(groups.first { $0.key == "gb200-nvl72" }?.report)
        #expect(gb200.summary(.fit)?.count == 3 && gb200.summary(.holdout)?.count == 7)
        #expect(gb200.lines.allSatisfy { $0.row.id.hasPrefix("B-Q30-GB200-") })
    }

    /// TensorRT-LLM v0.5 static batching (section A): every held-out row (A2, A3, A5, A7, A8)
    /// within the 35%, A3, A5 and A7 within 25% as before.
    @Test func trtllm05Rows() throws {
        let r = try Self.report("trtllm-0.5.csv")
        #expect(r.lines.count == 8)
        for l in r.lines where l.row.split == .holdout {
            #expect(abs(l.error) <= 0.35, "\(l.row.id): \(l.error)")
        }
        for l in r.lines where ["A3", "A5", "A7"].contains(l.row.id) {
            #expect(abs(l.error) <= 0.25, "\(l.row.id): \(l.error)")
        }
    }

    /// Every fitted figure shipped is where its documented `tessera calibrate` lands (the first
    /// line of each file names the parameters and rows; scripts/refit-trtllm.sh alternates the two
    /// TensorRT-LLM 1.x fits): refitting from the shipped values, on the same rows, improves their
    /// mean squared log error by less than 1%. A cost-model change that moves a fit fails here
    /// until the file is refitted.
    @Test(arguments: [
        ("trtllm-1.0.csv", "software", "trtllm-1.0", ["software.kernelLaunchUs", "software.requestOverheadUs"]),
        ("trtllm-1.0.csv", "cluster", "gb200-nvl72", ["host.relativeSpeed"]),
        ("trtllm-0.5.csv", "software", "trtllm-0.5", ["software.kernelLaunchUs", "software.stepOverheadUs", "software.kernelEfficiency"]),
        ("spatial.csv", "cluster", "groq-rack", ["compute.opOverheadUs"]),
        ("spatial.csv", "cluster", "corsair-rack", ["compute.opOverheadUs"]),
        ("spatial.csv", "cluster", "cerebras-wafer", ["compute.opOverheadUs"]),
        ("spatial.csv", "software", "cerebras-cloud", ["software.frontEndMs"]),
    ])
    func shippedFitsAreWhereCalibrateLands(file: String, by: String, name: String, parameters: [String]) throws {
        let rows = try Measurement.load(path: Repo.root.path + "/Experiments/calibration/" + file)
            .filter { $0.split == .fit && (by == "software" ? $0.software : $0.cluster) == name }
        #expect(!rows.isEmpty)
        let calibrator = Calibrator(root: Repo.root.path), named = try parameters.map(CalibrationParameter.named)
        let shipped = try CalibrationFit.fit(named, rows: rows, calibrator: calibrator, sweeps: 0)
        let refit = try CalibrationFit.fit(named, rows: rows, calibrator: calibrator, sweeps: 1)
        #expect(shipped.loss - refit.loss <= max(0.01 * shipped.loss, 1e-6),
                "\(name): loss \(shipped.loss) shipped, \(refit.loss) refitted at \(refit.values) from \(shipped.values)")
    }

    /// A measurement file with a bad field names the file, line and column.
    @Test func badMeasurementFieldIsNamed() throws {
        let csv = Measurement.columns.joined(separator: ",") + "\nX1,llama-3-8b,hgx-h200,,0,1,1,128,128,1,static,fp8,fp8,fp8,tokensPerSecond,10,fit,here\n"
        #expect(throws: CalibrationError.line("m.csv", 2, "tp: expected a whole number from 1 to 100000000, got \"0\"")) {
            try Measurement.parse(csv: csv, file: "m.csv")
        }
        let bad = Measurement.columns.joined(separator: ",") + "\nX1,llama-3-8b,hgx-h200,,1,1,1,128,128,1,static,fp8,fp8,fp8,speed,10,fit,here\n"
        #expect(throws: CalibrationError.line("m.csv", 2, "metric: expected one of tokensPerSecond, ttftMs, tpotMs, tokensPerSecondPerUser, got \"speed\"")) {
            try Measurement.parse(csv: bad, file: "m.csv")
        }
    }
}

/// Continuous batching at full load, by hand: the running batch is the cap, the token budget or
/// the K/V cache, whichever is smallest.
@Suite struct ContinuousBatchingTests {
    static func evaluator(capacityGB: Double, software: SoftwareProfile, input: Int, output: Int) throws -> Evaluator {
        let scenario = Scenario(inputTokens: input, outputTokens: output, batch: 100_000, mode: .continuous)
        return try Evaluator(PlanInputs(modelName: "tiny-llama", model: try ModelGraph.load(path: Repo.workload("tiny-llama")),
                                        cluster: try handCluster(chiplets: 1, capacityGB: capacityGB),
                                        scenario: scenario, software: software))
    }

    /// Budget 1,000 tokens, 100-token prompts, 11 output tokens: each decode token brings 100/10
    /// prompt tokens, so 1,000 · 10 / 110 = 90.9 → 90 running requests.
    @Test func tokenBudgetLimitsTheRunningBatch() throws {
        let e = try Self.evaluator(capacityGB: 80, software: SoftwareProfile(name: "t", maxNumTokens: 1000), input: 100, output: 11)
        let r = e.evaluate(Candidate(strategy: Strategy(), batch: 100_000))
        #expect(r.candidate.batch == 90)
        // Output tokens/s = arrivals × output / iteration = (90 / 10) × 11 / TPOT.
        let m = try #require(r.metrics)
        #expect(abs(m.outputTokensPerSecond - 9 * 11 / (m.tpotMs / 1000)) / m.outputTokensPerSecond < 1e-12)
    }

    /// Tiny-llama caches 4 layers × (128 + 128) bf16 = 2,048 B per position; admitting a request
    /// reserves input + output = 200 positions = 409,600 B. The running batch is the whole number
    /// of those that fit in what weights, activations and reserve leave.
    @Test func kvCapacityLimitsTheRunningBatch() throws {
        let e = try Self.evaluator(capacityGB: 0.2, software: SoftwareProfile(name: "t"), input: 100, output: 100)
        let r = e.evaluate(Candidate(strategy: Strategy(), batch: 100_000))
        let tier = try #require(r.memory?.tiers.first)
        let room = tier.capacityBytes - (tier.usedBytes - tier.kvCacheBytes)
        #expect(tier.kvCacheBytes == Double(r.candidate.batch) * 409_600)
        #expect(r.candidate.batch == Int(room / 409_600))
        #expect(r.candidate.batch > 100 && r.candidate.batch < 1000)
    }

    /// TP 7 divides 28 heads but not 4 KV heads: refused unless asked for.
    @Test func tpThatSplitsKVHeadsUnevenlyIsRefused() throws {
        var cfg = try ModelGraph.load(path: Repo.workload("tiny-llama")).config
        cfg.attentionHeads = 28; cfg.kvHeads = 4; cfg.headDim = 8
        let inputs = PlanInputs(modelName: "t", model: ModelGraph(config: cfg, name: "t"), cluster: try handCluster(chiplets: 8),
                                scenario: Scenario(inputTokens: 16, outputTokens: 4, batch: 1))
        let why = try Evaluator(inputs).illegality(Strategy(tp: 7), batch: 1)
        #expect(why == .tpSplitsKVHeadsUnevenly(tp: 7, kvHeads: 4, model: "t", options: [1, 2, 4, 28]))
        #expect(why?.description == "TP 7 neither divides the 4 KV heads of t nor is a multiple of them, so serving engines cannot shard its K/V; TP can be 1, 2, 4 or 28 (--allow-uneven-kv-heads prices it anyway)")
        var allowed = inputs
        allowed.allowUnevenKVHeads = true
        #expect(try Evaluator(allowed).illegality(Strategy(tp: 7), batch: 1) == nil)
    }
}

/// Spatial machines (section D). Each file's per-kernel-group synchronisation figure was fitted
/// to one row (Groq D1, Cerebras D3), Cerebras's front end to its TTFT (D3f); the bounds:
/// fitted rows within 30%, others within 2×.
@Suite struct SpatialCalibrationTests {
    @Test func groqAndCerebrasRows() throws {
        let r = try CalibrationTests.report("spatial.csv")
        let byID = Dictionary(uniqueKeysWithValues: r.lines.map { ($0.row.id, $0.error) })
        // D3f, D3's TTFT (0.24 s): held out while the model had no cloud front end, when it came out
        // at 59 ms (−75%); now fitted, with the front end (`frontEndMs`) as its one parameter.
        for id in ["D1", "D3", "D3f"] { #expect(abs(try #require(byID[id])) <= 0.30, "\(id)") }
        // The front end it fitted is a cloud path's, not a machine's: more than 0.1 s, less than 0.24 s.
        // (the service's profile has it; the machine's own profile, which plans use, has none).
        let frontEnd = try SoftwareProfile.resolve("cerebras-cloud", relativeTo: Repo.cluster("cerebras-wafer")).frontEndMs
        #expect(frontEnd > 100 && frontEnd < 240, "frontEndMs \(frontEnd)")
        #expect(try ClusterSpec.load(path: Repo.cluster("cerebras-wafer")).software.frontEndMs == 0)
        // D2 (Mixtral on the Groq file fitted to Llama-2-7B) is out of sample.
        let d2 = try #require(byID["D2"])
        #expect(d2 > -0.5 && d2 < 1.0, "D2 \(d2)")
    }

    /// Corsair (D4 fitted, D5 held out: Llama-3-70B on the file fitted to Llama-3-8B): the
    /// issue's bound, every row within 30%.
    @Test func corsairRows() throws {
        let r = try CalibrationTests.report("spatial.csv")
        let rows = r.lines.filter { $0.row.id.hasPrefix("D4") || $0.row.id.hasPrefix("D5") }
        #expect(rows.count == 4)
        for l in rows { #expect(abs(l.error) <= 0.30, "\(l.row.id): \(l.error)") }
    }
}

/// Attention data parallelism, by hand: 8 decoding sequences and half a 1,000-token prompt over
/// 4 ranks. Decode splits evenly (2 each); a rank prefills a whole chunk with p = 125 / 1,000,
/// and the busiest of 4 carries one with probability 1 − 0.875⁴ = 0.413818359375, so each rank
/// is charged 1,000 × 0.413818359375 prefill tokens, not 125.
@Test func attentionDataParallelismWaitsForTheBusiestRank() {
    let w = Work.decode(sequences: 8, context: 100) + Work.prefill(sequences: 0.5, tokens: 1000)
    let share = w.attentionDPShare(4, chunkTokens: 8192)
    #expect(share.decodeTokens == 2)
    #expect(abs(share.prefillTokens - 413.818359375) < 1e-9)
    #expect(abs(share.decodeAttended - 200) < 1e-9)
    // A chunk budget smaller than the prompt makes chunks, and so chances, smaller:
    // p = 125 / 250 = 0.5, busiest 1 − 0.5⁴ = 0.9375 of a 250-token chunk.
    #expect(abs(w.attentionDPShare(4, chunkTokens: 250).prefillTokens - 234.375) < 1e-9)
}

/// The host's part of an iteration under the overlap scheduler: 2 ms plus 30 µs for each of 100
/// running requests = 5 ms, which bounds an iteration whose device work is shorter.
@Test func anOverlappedHostStepBoundsTheIteration() throws {
    let sw = SoftwareProfile(name: "t", stepOverheadUs: 2000, requestOverheadUs: 30, overlapScheduler: true)
    let scenario = Scenario(inputTokens: 16, outputTokens: 16, batch: 100, mode: .static)
    let e = try Evaluator(PlanInputs(modelName: "tiny-llama", model: try ModelGraph.load(path: Repo.workload("tiny-llama")),
                                     cluster: try handCluster(chiplets: 1), scenario: scenario, software: sw))
    let m = try #require(e.evaluate(Candidate(strategy: Strategy(), batch: 100)).metrics)
    #expect(abs(m.tpotMs - 5.0) < 1e-9)
}

/// A hosted service's front end (`frontEndMs`) is in what the user waits for and nowhere else:
/// 250 ms more TTFT, the same TPOT and tokens/s, static and continuous alike.
@Test func aFrontEndAddsToTTFTOnly() throws {
    let model = try ModelGraph.load(path: Repo.workload("tiny-llama"))
    for mode in [BatchingMode.static, .continuous] {
        let scenario = Scenario(inputTokens: 64, outputTokens: 16, batch: 8, mode: mode)
        func metrics(_ frontEndMs: Double) throws -> Metrics {
            let sw = SoftwareProfile(name: "t", kernelLaunchUs: 5, stepOverheadUs: 100, frontEndMs: frontEndMs)
            let e = try Evaluator(PlanInputs(modelName: "tiny-llama", model: model, cluster: try handCluster(chiplets: 1),
                                             scenario: scenario, software: sw))
            return try #require(e.evaluate(Candidate(strategy: Strategy(), batch: 8)).metrics)
        }
        let bare = try metrics(0), served = try metrics(250)
        #expect(served.ttftMs == bare.ttftMs + 250, "\(mode)")
        #expect(served.tpotMs == bare.tpotMs && served.outputTokensPerSecond == bare.outputTokensPerSecond, "\(mode)")
    }
}

/// Sliding windows in the planner: Mistral-7B-v0.1 attends 4,096 positions in every layer, so at
/// 8,192 + 1,024 tokens each sequence caches 4,096 positions × 32 layers × 2 × 8 heads × 128 ×
/// 2 B = 536,870,912 B, not 9,216 positions' worth; and a decode step attends 4,096 positions.
@Test func slidingWindowsCapKVMemoryAndAttention() throws {
    let e = try evaluator("mistral-7b-v0.1", "dgx-h100", input: 8192, output: 1024, batch: 1, mode: .static)
    let r = e.evaluate(Candidate(strategy: Strategy(), batch: 1))
    #expect(r.memory?.tiers.first?.kvCacheBytes == 536_870_912)
    let attention = try #require(e.modelShard(Shard(tp: 1)).classes[0].groups.first { $0.kind == .attention })
    #expect(attention.window == 4096)
    let w = attention.windowed(Work.decode(sequences: 2, context: 10_000) + Work.prefill(sequences: 1, tokens: 8192))
    #expect(w.decodeAttended == 2 * 4096)
    // A prompt of 8,192: 4,096 · 4,097 / 2 + 4,096 · 4,096 positions.
    #expect(abs(w.prefillAttended - (4096.0 * 4097 / 2 + 4096.0 * 4096)) < 1e-6)
}
