/// The two phases a program runs: the prompt through the pipeline, then repeated decode steps.
public enum Phase: String, Codable, Sendable {
    case prefill, decode

    var index: Int { self == .prefill ? 0 : 1 }
}

/// What a message or a compute step belongs to; names the collective in traces and watchdog reports.
public enum Purpose: String, Codable, Sendable, CaseIterable {
    case allReduceTP, allToAllEP, stageSend, tokenReturn, result

    var index: Int {
        switch self {
        case .allReduceTP: 0
        case .allToAllEP: 1
        case .stageSend: 2
        case .tokenReturn: 3
        case .result: 4
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

/// One op's share of work on the chiplet: `tileCount` of its `tiles` tiles, starting at `tile`.
public struct Compute: Codable, Sendable, Equatable {
    /// Index into `Program.ops`.
    public var op: Int32
    /// Layer, or −1 for the embedding, −2 for the final norm and LM head.
    public var layer: Int32
    public var tile: Int32
    public var tileCount: Int32
    public var tiles: Int32
    public var seconds: Double
    public var phase: Phase
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
    public var prefill: [Instruction]
    public var decodeStep: [Instruction]
    public var decodeSteps: Int
    public var epilogue: [Instruction]

    /// Instructions executed over the whole run.
    public var executedCount: Int { prefill.count + decodeStep.count * decodeSteps + epilogue.count }
}
