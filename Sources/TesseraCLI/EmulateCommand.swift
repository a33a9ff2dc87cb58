import ArgumentParser
import Benchmarks
import Foundation
import Runtime
import RuntimeMPI

/// `tessera emulate`: runs a plan as one rank per chiplet under mpirun.
struct EmulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run a plan under mpirun, one rank per chiplet, on a virtual clock.",
        discussion: """
            Every rank runs its chiplet's program; rank 0 prints emulated TTFT, time per output token and \
            throughput next to the planner's prediction. Before any work, the world size must equal the \
            plan's chiplet count (or one replica's with --one-replica) and every rank must hold the same plan.

            Timing mode (the default) sends headers with modelled sizes, so large plans fit a laptop:
              tessera plan --model Workloads/llama-3-8b.json --cluster Clusters/dgx-h100.yaml \\
                --weights bf16 --activations bf16 --kv-cache bf16 --tp 8 --pp 2 -o plan.json
              mpirun -launcher fork -n 16 tessera emulate plan.json --trace trace.json

            Numeric mode runs real Float32 math on the tiny workloads and checks the logits against an \
            unpartitioned reference (rank 0 prints `max relative error`):
              tessera plan --model Workloads/tiny-llama.json --cluster Clusters/corsair-rack.yaml \\
                --scenario Workloads/scenarios/tiny-test.json --weights mxint8 --activations mxint8 \\
                --kv-cache mxint8 --tp 2 --pp 2 -o tiny.json
              mpirun -launcher fork -n 4 tessera emulate tiny.json --numeric

            A disaggregated plan (`tessera plan --prefill-tp N`) runs its prefill pool on the first ranks \
            and its decode pool on the rest; each prompt's K/V moves between them over the links, \
            and rank 0 prints the bytes moved and the hand-off time:
              tessera plan --model Workloads/llama-3-8b.json --cluster Clusters/dgx-h100.yaml \\
                --input-tokens 1024 --output-tokens 64 --mode static --tp 2 --batch 1 --prefill-tp 2 -o d.json
              mpirun -launcher fork -n 4 tessera emulate d.json --requests 4 --rate 0.01

            MoE with expert parallelism runs at any batch: with fewer requests than EP ranks one \
            attention-DP rank holds each and the rest run empty, all of them in the all-to-alls. On a chip \
            with measured collective tables (GB200, H100) every collective also pays the library's fixed \
            cost and bandwidth taken from them (`collective sync` in `tessera lower`):
              tessera plan --model Workloads/mixtral-8x7b.json --cluster Clusters/gb200-nvl72.yaml \\
                --input-tokens 1024 --output-tokens 64 --mode static --tp 2 --ep 4 --batch 1 -o moe.json
              mpirun -launcher fork -n 8 tessera emulate moe.json --requests 4 --rate 0.01

            Each rank binds itself as `tessera hostmap` places it on this host (or as --binding says), \
            and waits by spinning while ranks ≤ PUs, cooperatively (test, yield, sleep) when oversubscribed. \
            A cooperative sleep ends when a rank of the same host sends to the sleeper (a semaphore per \
            rank in shared memory, a "doorbell"), so hundreds of ranks on a few cores pass messages \
            without polling. A wait with no progress for --watchdog-seconds prints `rank R waits on rank S: …` and aborts the job.

            A rank that dies (kill -9, a crash, the OOM killer) or stays stopped (SIGSTOP) for 2 s is named by a \
            small monitor process per host, and mpirun ends the job at once:
              emulate: rank 3 (chiplet 3: stage 1, TP rank 1) lost (its process 4242 ended unfinished: …) \
            while in decode step 12, waiting on rank 2
            With --trace, rank 0 keeps the trace so far (rewritten after 2 s of running, then 4 s more, 8 s more, …).
            """)

    @Argument(help: "A plan written by `tessera plan -o`.")
    var plan: String

    @Flag(help: "Run real Float32 math (tiny workloads) and compare the logits with a reference.")
    var numeric = false

    @Flag(help: "Emulate one data-parallel replica only.")
    var oneReplica = false

    @Option(help: "Write a Chrome trace-event file (opens in Perfetto).")
    var trace: String?

    @Option(help: "Seed of the numeric weights and prompts.")
    var seed: UInt64 = 1

    @Option(help: "Decode steps to emulate (default: the scenario's output tokens − 1).")
    var steps: Int?

    @Option(help: "Abort when a wait makes no progress for this many seconds.")
    var watchdogSeconds = 30.0

    @Option(help: "How ranks wait: auto (spin if ranks ≤ PUs, else cooperative), spin, cooperative, or blocking (MPI's own waits; for comparison only).")
    var wait = EmulatorLaunch.Wait.auto

    @Option(help: "A per-rank binding file from `tessera hostmap -o`; default: the host map of this host.")
    var binding: String?

    @Flag(help: "Do not bind ranks to PUs.")
    var noBind = false

    @Flag(help: "Cooperative waits sleep with backoff only, not ended by the sender's doorbell (for comparison).")
    var noDoorbells = false

    @Option(help: "Serve a stream of this many requests (Poisson arrivals at --rate, the plan's lengths) with a continuous-batching scheduler per replica.")
    var requests: Int?

    @Option(help: "Arrival rate of --requests, requests per second.")
    var rate: Double?

    @Option(help: "Serve the requests of this CSV (arrival_s,input_tokens,output_tokens) instead.")
    var traceIn: String?

    @Option(help: "Write one row per request of the stream (TTFT, TPOT, …) to this CSV.")
    var requestsCsv: String?

    @Option(help: "Tokens per scheduler iteration (default: the plan's software budget, else 8192).")
    var tokenBudget: Int?

    @Option(name: .customLong("fail"), help: "Lose chiplet CHIPLET at virtual time TIME (5@2ms): its role moves to a spare; the report shows the lost time.")
    var failure: String?

    @Option(help: "With --fail: virtual time from the loss until the spare starts (a missed heartbeat), in ms.")
    var failDetectMs = 10.0

    @Option(help: .hidden)
    var planForRank: [String] = []

    @Flag(help: .hidden)
    var injectUnmatchedRecv = false

    @Flag(help: .hidden)
    var stats = false

    @Option(help: .hidden)
    var maxSleepUs: Double?

    @Option(help: .hidden)
    var progressEverySeconds = 2.0

    func validate() throws {
        if let steps, steps < 0 { throw ValidationError("--steps must be ≥ 0, got \(steps)") }
        guard watchdogSeconds > 0 else { throw ValidationError("--watchdog-seconds must be > 0, got \(watchdogSeconds)") }
        try checkFlag("--watchdog-seconds", watchdogSeconds, atMost: 86_400, unit: "seconds", why: "a day; a hung rank must end the job")
        try checkFlag("--rate", rate, atMost: 1e9, unit: "requests per second", why: "a nanosecond between arrivals, the virtual clock's tick")
        try checkFlag("--max-sleep-us", maxSleepUs, zeroAllowed: true, atMost: 1e6, unit: "µs", why: "one second; longer sleeps only delay the doorbells")
        try checkFlag("--progress-every-seconds", progressEverySeconds, zeroAllowed: true, atMost: 86_400, unit: "seconds", why: "a day")
        _ = try planOverrides()
        if requests != nil && traceIn != nil { throw ValidationError("--requests and --trace-in: give one of them") }
        if let requests, !(1...10_000_000).contains(requests) { throw ValidationError("--requests must be 1 to 10,000,000, got \(requests)") }
        if requests != nil, !(rate.map { $0 > 0 && $0.isFinite } ?? false) {
            throw ValidationError("--requests needs --rate, a positive number of requests per second")
        }
        if rate != nil && requests == nil { throw ValidationError("--rate goes with --requests") }
        if (requestsCsv != nil || tokenBudget != nil) && requests == nil && traceIn == nil {
            throw ValidationError("--requests-csv and --token-budget go with --requests or --trace-in")
        }
        if let tokenBudget, tokenBudget < 1 { throw ValidationError("--token-budget must be ≥ 1, got \(tokenBudget)") }
        try checkFlag("--fail-detect-ms", failDetectMs, zeroAllowed: true, atMost: 3.6e6, unit: "ms", why: "an hour")
        if failure != nil && (requests != nil || traceIn != nil) {
            throw ValidationError("--fail runs with the plan's batch, not with --requests or --trace-in")
        }
        _ = try failureSpec()
    }

    /// `--fail` as the runtime takes it.
    func failureSpec() throws -> FailureSpec? {
        guard let failure else { return nil }
        do {
            var spec = try FailureSpec.parse(failure)
            spec.detectS = failDetectMs / 1000
            return spec
        } catch { throw ValidationError(error.description) }
    }

    /// The request stream asked for: Poisson arrivals of the plan's lengths, or a trace file.
    func requestStream() throws -> [ServingRequest]? {
        if let traceIn {
            let text: String
            do { text = try String(contentsOfFile: traceIn, encoding: .utf8) } catch {
                throw ValidationError("\(traceIn): cannot read it (\(error.localizedDescription))")
            }
            return try RequestStream.load(csv: text, file: traceIn)
        }
        guard let requests, let rate else { return nil }
        let loaded = try EmulatorLauncher.loadPlan(plan)
        return RequestStream.poisson(count: requests, ratePerS: rate, inputTokens: loaded.scenario.inputTokens,
                                     outputTokens: loaded.scenario.outputTokens, seed: seed)
    }

    /// On long runs rank 0 says on stderr when all ranks are up (MPI's start-up takes most of a
    /// large job) and, every few seconds, which decode step it has reached. (Ranks' stderr is
    /// hydra's pipe, never a terminal, so the pace is by time: short runs print nothing.)
    static func showProgress(_ launch: inout EmulatorLaunch, everySeconds: Double = 2) {
        final class Clock: @unchecked Sendable {  // Only rank 0's executor thread touches it.
            let began = Date()
            var last = Date()
        }
        let clock = Clock()
        @Sendable func say(_ text: String) {
            clock.last = Date()
            let seconds = String(format: "%.1f", clock.last.timeIntervalSince(clock.began))
            FileHandle.standardError.write(Data("emulate: \(text) after \(seconds) s\n".utf8))
        }
        launch.onReady = { ranks in
            if Date().timeIntervalSince(clock.began) >= everySeconds { say("\(ranks) ranks up and checked") }
        }
        launch.options.progress = { step, steps in
            if Date().timeIntervalSince(clock.last) >= everySeconds { say("decode step \(step) of \(steps) on rank 0") }
        }
    }

    /// `--plan-for-rank R=path` (test hook for the plan-hash check).
    func planOverrides() throws -> [Int: String] {
        var overrides: [Int: String] = [:]
        for item in planForRank {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let rank = Int(parts[0]) else {
                throw ValidationError("--plan-for-rank: expected RANK=PATH, got \(item)")
            }
            // A world of 2^20 ranks is more than any plan has chiplets per level allows.
            guard (0..<(1 << 20)).contains(rank) else {
                throw ValidationError("--plan-for-rank: expected a rank from 0 to 1048575, got \(rank)")
            }
            overrides[rank] = String(parts[1])
        }
        return overrides
    }

    func run() throws {
        var launch = EmulatorLaunch(planPath: plan)
        launch.options.numeric = numeric
        launch.options.oneReplica = oneReplica
        launch.options.tracePath = trace
        launch.options.seed = seed
        launch.options.decodeSteps = steps
        do { launch.options.requests = try requestStream() } catch {
            if EmulatorLauncher.rank == 0 { throw fail(error) }
            throw ExitCode.failure
        }
        launch.options.tokenBudget = tokenBudget
        do {
            // Checked before MPI starts the work: every rank would find the same fault.
            launch.options.failure = try failureSpec()
            if let spec = launch.options.failure {
                _ = try Failover.make(plan: try EmulatorLauncher.loadPlan(plan), spec: spec, oneReplica: oneReplica)
            }
        } catch {
            if EmulatorLauncher.rank == 0 { throw fail(error) }
            throw ExitCode.failure
        }
        launch.wait = wait
        launch.watchdogSeconds = watchdogSeconds
        launch.bindingPath = binding
        launch.bind = !noBind
        launch.doorbells = !noDoorbells
        launch.planForRank = try planOverrides()
        launch.injectUnmatchedReceive = injectUnmatchedRecv
        launch.gatherStats = stats
        launch.maxSleepUs = maxSleepUs
        Self.showProgress(&launch, everySeconds: progressEverySeconds)
        let outcome: EmulatorOutcome
        do {
            outcome = try EmulatorLauncher.run(launch, execute: Emulation.run)
        } catch let error as EmulatorError where error.isCollective {
            // Every rank reached the same error: rank 0 says it once, all exit non-zero.
            if EmulatorLauncher.rank == 0 { throw fail(error) }
            throw ExitCode.failure
        } catch {
            // This rank failed alone; the others may be waiting on it, so end the whole job. A
            // watchdog first gives the others a second to report their own waits, so the job's
            // output shows who waits on whom rather than only the first rank to give up.
            _ = fail(error)
            fflush(nil)  // nil flushes every stream (and needs no access to the global `stdout`)
            if case EmulatorError.watchdog = error { Thread.sleep(forTimeInterval: 1) }
            EmulatorLauncher.abortJob(exitCode: 1)
            throw ExitCode.failure
        }
        outcome.warnings.forEach { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
        guard let result = outcome.result else { return }
        // A plan whose durations overflow emulates to inf or nan; that is a failure, not a figure.
        let figures = [("TTFT ms", result.ttftMs), ("TPOT ms", result.tpotMs), ("tokens/s", result.outputTokensPerSecond)]
        if let bad = figures.first(where: { !$0.1.isFinite }) {
            throw fail("\(plan): emulation gave \(bad.0) = \(bad.1); a duration or size in the plan is out of range")
        }
        print(result.report, terminator: result.report.hasSuffix("\n") ? "" : "\n")
        if let path = requestsCsv, let stream = result.stream {
            try writeAtomically(Data(stream.csv.utf8), to: path)
            print("wrote \(stream.records.count) requests to \(path)")
        }
        if let stats = outcome.stats { print(EmulateStatsLine(outcome: outcome, result: result, stats: stats).line) }
    }
}

extension EmulatorLaunch.Wait: ExpressibleByArgument {}
