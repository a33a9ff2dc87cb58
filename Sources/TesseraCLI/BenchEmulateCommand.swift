import ArgumentParser
import Benchmarks
import Foundation
import MessagePassing

/// `tessera bench emulate`: how far the emulator scales on this machine.
struct BenchEmulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Emulate a 32-layer plan at up to 256 ranks; compare message rates with raw MPI at its best, and binding, doorbells and waits one at a time.",
        discussion: """
            Plans Llama-3-8B (32 layers) on a DGX-H100 cluster as TP 8 × PP 1, 8 and 32 (8, 64 and 256 ranks), \
            128 prompt tokens and 2 generated (one decode step after prefill), and runs each under \
            `mpirun -launcher fork` in the base configuration: bound by the host map, doorbells on, wait auto \
            (spin while ranks ≤ PUs, else cooperative). Prints wall time, messages per second and peak RSS \
            per rank, against the message rate of an all-pairs ping-pong over raw MPI at the same rank count, \
            given its best case: receives posted before the partner sends, waits spinning or cooperative, \
            whichever is faster. Then, at 16 ranks (TP 8 × PP 2), it changes one factor at a time from the \
            base (no binding; no doorbells; spinning waits; MPI's blocking waits) and says which changed. \
            Run from the repository root (it reads Workloads/ and Clusters/), on a release build:
              swift build -c release && .build/release/tessera bench emulate --repeats 3
              .build/release/tessera bench emulate --ranks 8,64 --oversubscribed-ranks 16
            With --requests N each emulation serves a request stream instead (N requests, Poisson arrivals at \
            --rate, 128 prompt tokens and 16 generated, continuous batching of up to 8); `make bench-stream` \
            runs the 256-rank one without the one-factor comparison:
              .build/release/tessera bench emulate --ranks 256 --requests 200 --rate 50 --oversubscribed-ranks 0
            """)

    @Option(help: "Rank counts (TP 8 × PP n/8) to emulate and ping-pong at, comma-separated.")
    var ranks = "8,64,256"

    @Option(help: "Ping-pong round trips per rank pair.")
    var roundTrips = 200

    @Option(help: "Runs of each emulation and ping-pong; the table shows medians (rates move by up to 2× between runs on 2 cores).")
    var repeats = 1

    @Option(help: "Rank count of the one-factor-at-a-time comparison (TP 8 × PP n/8); 0 skips it.")
    var oversubscribedRanks = 16

    @Option(help: "Serve a stream of this many requests in each emulation (0: prefill and one decode step).")
    var requests = 0

    @Option(help: "Arrival rate of --requests, requests per second (virtual time).")
    var rate = 50.0

    @Option(help: "Tokens each request generates (default: 2 without --requests, 16 with).")
    var outputTokens: Int?

    @Option(help: "Give up on one run after this many seconds (blocking waits oversubscribed can take long).")
    var timeoutSeconds = 180.0

    @Option(help: "The model to plan.")
    var model = "Workloads/llama-3-8b.json"

    @Option(help: "The cluster to plan on (needs as many chiplets as the largest rank count).")
    var cluster = "Clusters/dgx-h100.yaml"

    @Option(help: "Wait policy of the fabric's ping-pong: cooperative or spin (raw MPI tries both).")
    var pingPongWait = WaitPolicy.cooperative

    @Flag(help: .hidden)
    var pingPongWorker = false

    func validate() throws {
        guard let counts = try? rankCounts(), counts.allSatisfy({ $0 >= 8 && $0 % 8 == 0 }),
              oversubscribedRanks >= 0, oversubscribedRanks % 8 == 0 else {
            throw ValidationError("--ranks and --oversubscribed-ranks: multiples of 8 (TP 8), such as 8,64,256 (--oversubscribed-ranks 0 skips it)")
        }
        guard (0...100_000).contains(requests), rate > 0, rate <= 1e6, (outputTokens ?? 2) >= 2, (outputTokens ?? 2) <= 4096 else {
            throw ValidationError("--requests: 0 to 100000; --rate: above 0, at most 1e6; --output-tokens: 2 to 4096")
        }
        guard pingPongWait != .blocking else { throw ValidationError("--ping-pong-wait: cooperative or spin") }
        guard roundTrips >= 1, timeoutSeconds > 0, repeats >= 1 else {
            throw ValidationError("--round-trips, --repeats and --timeout-seconds must be positive")
        }
    }

    func rankCounts() throws -> [Int] {
        let counts = ranks.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.count == ranks.split(separator: ",").count else { throw ValidationError("--ranks") }
        return counts
    }

    func run() throws {
        if pingPongWorker {
            let rates = try BenchEmulatePingPong.measureThisWorld(roundTrips: roundTrips, policy: pingPongWait)
            if let rates { print(rates.line) }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-bench-emulate-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rows: [BenchEmulateTable.Row] = []
        for count in try rankCounts() {
            let plan = try makePlan(ranks: count, in: directory)
            var emulations: [(stats: EmulateStatsLine, jobSeconds: Double)] = []
            var pingPongs: [BenchEmulatePingPong.Rates] = []
            for _ in 0..<repeats {
                if let emulated = try emulate(plan, ranks: count, extra: []) { emulations.append(emulated) }
                let output = try launch(count, ["bench", "emulate", "--ping-pong-worker", "--round-trips", String(roundTrips),
                                                "--ping-pong-wait", pingPongWait.rawValue]) ?? ""
                pingPongs += output.split(separator: "\n").compactMap(BenchEmulatePingPong.Rates.init(line:)).prefix(1)
            }
            let emulated = median(emulations, by: { $0.stats.wallSeconds })
            func middle(_ rate: (BenchEmulatePingPong.Rates) -> Double) -> Double { median(pingPongs.map(rate), by: { $0 }) ?? 0 }
            let pingPong = pingPongs.isEmpty ? nil : BenchEmulatePingPong.Rates(
                ranks: count, rawSpinPerSecond: middle(\.rawSpinPerSecond),
                rawCooperativePerSecond: middle(\.rawCooperativePerSecond), fabricPerSecond: middle(\.fabricPerSecond))
            rows.append(BenchEmulateTable.Row(ranks: count, emulated: emulated?.stats, jobSeconds: emulated?.jobSeconds,
                                              pingPong: pingPong))
        }
        var factors: [(BenchEmulateTable.Factor, EmulateStatsLine?)] = []
        if oversubscribedRanks > 0 {
            let plan = try makePlan(ranks: oversubscribedRanks, in: directory)
            factors = try BenchEmulateTable.Factor.allCases.map { factor in
                (factor, try emulate(plan, ranks: oversubscribedRanks, extra: factor.flags)?.stats)
            }
        }
        if repeats > 1 { print("Medians of \(repeats) runs of each emulation and ping-pong.") }
        let workload = requests > 0
            ? "serving \(requests) requests (Poisson at \(BenchMPITable.format(rate))/s, 128 prompt tokens, \(tokens) generated)"
            : "prefill + \(tokens - 1) decode step\(tokens == 2 ? "" : "s")"
        BenchEmulateTable.lines(rows: rows, workload: workload, oversubscribedRanks: oversubscribedRanks, factors: factors,
                                timeoutSeconds: timeoutSeconds).forEach { print($0) }
    }

    /// The middle element by `key` (the upper middle of an even count), nil when empty.
    private func median<T>(_ items: [T], by key: (T) -> Double) -> T? {
        let sorted = items.sorted { key($0) < key($1) }
        return sorted.isEmpty ? nil : sorted[sorted.count / 2]
    }

    /// Tokens each sequence generates.
    private var tokens: Int { outputTokens ?? (requests > 0 ? 16 : 2) }

    /// Llama-3-8B as TP 8 × PP ranks/8, a 128-token prefill of 8 sequences and `tokens` generated.
    private func makePlan(ranks: Int, in directory: String) throws -> String {
        let path = "\(directory)/plan-\(ranks).json"
        let arguments = ["plan", "--model", model, "--cluster", cluster, "--weights", "bf16", "--activations", "bf16",
                         "--kv-cache", "bf16", "--tp", "8", "--pp", String(ranks / 8), "--input-tokens", "128",
                         "--output-tokens", String(tokens), "--batch", "8", "--mode", "static", "-o", path]
        try BenchLaunch.tessera(arguments)
        return path
    }

    /// The figures of one emulation and the wall time of its whole mpirun job (start-up and
    /// finalize included), or nil when it did not finish within the timeout.
    private func emulate(_ plan: String, ranks: Int, extra: [String]) throws -> (stats: EmulateStatsLine, jobSeconds: Double)? {
        FileHandle.standardError.write(Data("emulating \(ranks) ranks \(extra.joined(separator: " "))…\n".utf8))
        let start = Date()
        let stream = requests > 0 ? ["--requests", String(requests), "--rate", String(rate)] : []
        guard let output = try launch(ranks, ["emulate", plan, "--stats", "--watchdog-seconds", String(timeoutSeconds)] + stream + extra)
        else { return nil }
        let jobSeconds = Date().timeIntervalSince(start)
        return output.split(separator: "\n").lazy.compactMap(EmulateStatsLine.init(line:)).first.map { ($0, jobSeconds) }
    }

    /// What rank 0 printed, or nil when the run did not finish within the timeout.
    private func launch(_ ranks: Int, _ arguments: [String]) throws -> String? {
        try BenchLaunch.run(ranks: ranks, arguments: arguments, timeoutSeconds: timeoutSeconds)
    }
}
extension WaitPolicy: ExpressibleByArgument {}
