import CostModel

/// The two phases a program runs: the prompt through the pipeline, then repeated decode steps.
public enum Phase: String, Codable, Sendable {
    case prefill, decode

    var index: Int { self == .prefill ? 0 : 1 }
}

/// What a message or a compute step belongs to; names the collective in traces and watchdog reports.
public enum Purpose: String, Codable, Sendable, CaseIterable {
    case allReduceTP, allToAllEP, stageSend, tokenReturn, result, iteration, kvHandOff

    var index: Int {
        switch self {
        case .allReduceTP: 0
        case .allToAllEP: 1
        case .stageSend: 2
        case .tokenReturn: 3
        case .result: 4
        case .iteration: 5
        case .kvHandOff: 6
        }
    }

    /// Tag base: tags stay below 32768 (MPI guarantees at least that much tag space).
    var tagBase: Int32 { Int32(index) * 4096 }

    var label: String {
        switch self {
        case .allReduceTP: "allReduce:tp"
        case .allToAllEP: "allToAll:ep"
        case .stageSend: "stage send"
        case .tokenReturn: "token return"
        case .result: "result"
        case .iteration: "iteration"
        case .kvHandOff: "K/V hand-off"
        }
    }
}

/// How a receiver folds a payload into its buffer (numeric mode).
public enum Combine: String, Codable, Sendable {
    /// Pipeline sends, token returns, all-to-all (the engine decides).
    case replace
    /// Reduce-scatter and tree-reduce steps: add the partial sums.
    case add
    /// All-gather and broadcast steps: copy the received part.
    case copy
}

/// What a compute tile computes, stated so that the rank prices it itself (and a reader of
/// `tessera lower` output sees it): the kernel's GEMM or attention shape on this chiplet, in
/// its dtype, and the microbatch it serves.
public struct TileShape: Codable, Sendable, Equatable {
    /// gemm, expertGEMM, lmHead, attention or vector.
    public var kind: String
    public var dtype: String
    /// Rows on this chiplet (tokens; logit rows for the LM head; routed rows for experts).
    public var m: Double
    /// The tiles' share of N (attention: heads × head size), and K (attention: positions
    /// attended by the last token at step 0).
    public var n: Double
    public var k: Double
    /// Sequences of the replica's microbatch (before attention splits them over EP ranks).
    public var sequences: Double
    /// Prefill: prompt tokens per sequence (0 in decode).
    public var promptTokens: Double
    /// Decode: context positions each sequence attends at decode step 0; step s attends
    /// `context + s` (it grows by one token each step).
    public var context: Double

    /// The microbatch's work at decode step `step` (prefill ignores it).
    public func work(step: Int) -> Work {
        promptTokens > 0 ? .prefill(sequences: sequences, tokens: promptTokens)
            : .decode(sequences: sequences, context: context + Double(step))
    }
}

/// One op's share of work on the chiplet: `tileCount` of its `tiles` tiles, starting at `tile`.
/// A kernel's tiles name it (`kernel`, an index into `Program.kernels`) with their `shape`, and
/// the rank prices them; software time (an iteration's fixed cost, a launch) is a fixed `seconds`.
public struct Compute: Codable, Sendable, Equatable {
    /// Index into `Program.ops`.
    public var op: Int32
    /// Layer, or −1 for the embedding, −2 for the final norm and LM head.
    public var layer: Int32
    public var tile: Int32
    public var tileCount: Int32
    public var tiles: Int32
    /// Fixed time: the serving software's (0 for kernel tiles, which the rank prices).
    public var seconds: Double
    public var phase: Phase
    /// Index into `Program.kernels`, or −1 (software time, or an op fused into another's kernel).
    public var kernel: Int32 = -1
    public var shape: TileShape? = nil
    /// Host time an overlap scheduler spends beside the device (`seconds` of it): it does not
    /// occupy the device, but the device cannot start the iteration before the host has
    /// prepared it, and the host prepares one iteration at a time.
    public var overlapped = false
}

/// One point-to-point message. The element range `[unitStart, unitStart + unitCount)` in
/// units of `1/units` of the buffer says which part of it travels (numeric mode).
public struct Transfer: Codable, Sendable, Equatable {
    public var peer: Int32
    public var tag: Int32
    public var bytes: Double
    public var purpose: Purpose
    public var layer: Int32
    /// Step of the collective (0-based) or microbatch of a pipeline send.
    public var step: Int32
    public var combine: Combine
    public var unitStart: Int32
    public var unitCount: Int32
    public var units: Int32
    public var phase: Phase

    /// "allReduce:tp layer 3 step 2", for traces and the watchdog.
    public var what: String {
        let where_ = layer >= 0 ? "layer \(layer)" : (layer == -1 ? "embedding" : "head")
        let step_ = purpose == .stageSend || purpose == .tokenReturn ? "microbatch \(step)" : "step \(step)"
        return "\(purpose.label) \(where_) \(step_) (\(phase))"
    }
}

/// One instruction of a chiplet program.
public enum Instruction: Codable, Sendable, Equatable {
    case compute(Compute)
    case send(Transfer)
    case recv(Transfer)
    /// Every emulated chiplet waits for the others; the clock jumps to the latest.
    case barrier
}

/// What one chiplet runs: the prefill once, the decode step `decodeSteps` times, then the
/// epilogue (the first stage collects the last tokens). Repeating one step keeps programs small.
public struct Program: Codable, Sendable {
    public var chiplet: Int
    public var stage: Int
    public var tpRank: Int
    public var epRank: Int
    public var dpRank: Int
    /// Op names referenced by `Compute.op`.
    public var ops: [String]
    /// The plan's kernels (head, tail, then each layer class), referenced by `Compute.kernel`.
    public var kernels: [KernelGroup] = []
    public var prefill: [Instruction]
    public var decodeStep: [Instruction]
    public var decodeSteps: Int
    public var epilogue: [Instruction]

    /// Instructions executed over the whole run.
    public var executedCount: Int { prefill.count + decodeStep.count * decodeSteps + epilogue.count }
}
