import Foundation
import Planner
import StableHash

/// How `Emulation.run` executes a plan.
public struct EmulationOptions: Sendable {
    /// Real Float32 math and payloads (tiny workloads only); otherwise timing only.
    public var numeric = false
    /// Emulate one data-parallel replica (the chiplets with dpRank 0) and scale throughput.
    public var oneReplica = false
    /// Chrome trace-event JSON written by rank 0.
    public var tracePath: String? = nil
    public var seed: UInt64 = 1
    /// Cap on decode steps (default: the scenario's output tokens − 1).
    public var decodeSteps: Int? = nil
    /// Told on rank 0 as it starts each decode step (step from 1, of all steps), for progress displays.
    public var progress: (@Sendable (_ step: Int, _ steps: Int) -> Void)? = nil
    /// A request stream to serve instead of the plan's one batch: each replica's first chiplet
    /// schedules it (continuous batching), requests dealt to replicas in turn.
    public var requests: [ServingRequest]? = nil
    /// Tokens per iteration (prompt chunks plus decode tokens); nil: the plan's software budget,
    /// else 8,192 (the planner's largest prefill chunk).
    public var tokenBudget: Int? = nil
    /// A chiplet lost during the run (`--fail`): its role moves to a spare and carries on.
    public var failure: FailureSpec? = nil
    /// Numeric mode with a plan's formats: the fixed token set their accuracy is measured on
    /// (sequences × tokens, every position scored).
    public var accuracySequences = 4
    public var accuracyTokens = 32
    /// Told on every rank when the message loop starts: after its set-up (lowering, the kernel
    /// tables its tiles are priced from) and a barrier, so every rank's set-up is done. Benchmarks
    /// time the loop from here, apart from the set-up.
    public var started: (@Sendable () -> Void)? = nil
    public init() {}
}

/// What rank 0 gathers: emulated figures next to the plan's prediction.
public struct EmulationResult: Sendable {
    public var ttftMs: Double
    public var tpotMs: Double
    public var outputTokensPerSecond: Double
    public var predicted: Planner.Metrics
    public var messages: Int
    public var bytes: Double
    /// Numeric mode: max |emulated − reference| over the final logits / max |reference|, the
    /// reference being the unpartitioned model in the plan's formats.
    public var maxRelativeError: Double?
    /// Numeric mode with a plan's formats: the emulated final logits against FP32's on the same tokens.
    public var maxRelativeErrorVsFP32: Double? = nil
    /// Numeric mode with a plan's formats: their accuracy cost on the fixed token set.
    public var accuracy: LogitAccuracy? = nil
    /// Why emulation and prediction differ by > 5% (contention, serialisation, …).
    public var notes: [String]
    /// The text rank 0 prints.
    public var report: String
    /// A request stream's figures (with `EmulationOptions.requests`).
    public var stream: StreamResult? = nil
    /// With `EmulationOptions.failure`: where the role went and what it cost; `interruption`
    /// is nil when the role had finished before the failure time.
    public var failover: Failover? = nil
    public var interruption: Interruption? = nil
}

public enum Emulation {
    /// Ranks needed: the plan's chiplet count, or one replica's with `oneReplica`.
    public static func ranksNeeded(_ plan: Plan, oneReplica: Bool) -> Int {
        if let pools = plan.disaggregation { return pools.prefill.plan.chiplets.count + plan.chiplets.count }
        return oneReplica ? plan.strategy.chipletsPerReplica : plan.chiplets.count
    }

    /// A stable hash of the plan (FNV-1a 64 of its canonical JSON), compared across ranks.
    public static func planHash(_ plan: Plan) -> UInt64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return FNV1a.hash((try? encoder.encode(plan)) ?? Data())
    }
}
