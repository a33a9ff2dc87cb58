/// Why an emulation on a fabric failed: a mismatch found at start-up, a receive that cannot be
/// matched, a payload that does not decode, numeric mode refusing a plan. Each case carries its
/// figures; `description` is the one place that words them.
public enum FabricError: Error, Equatable, CustomStringConvertible {
    /// The world does not have the plan's chiplet count (`replicaChiplets` when `--one-replica` would fit).
    case rankCount(started: Int, needed: Int, strategy: String, oneReplica: Bool, replicaChiplets: Int?)
    /// Some rank holds another plan than rank 0.
    case planHashes(rank0Hash: UInt64, rank: Int, hash: UInt64)
    /// A send or receive names a rank the fabric does not have.
    case noSuchRank(rank: Int, peer: Int, size: Int, sending: Bool)
    /// A receive whose sender finished its program without sending.
    case peerFinished(rank: Int, peer: Int, waiting: String)
    /// A receive whose sender failed.
    case peerFailed(rank: Int, peer: Int, failure: String, waiting: String)
    /// A receive that waited out the fabric's timeout.
    case receiveTimedOut(rank: Int, peer: Int, seconds: Double, waiting: String)
    /// A collective that a rank which has ended will never join.
    case collectivePeerEnded(rank: Int, peer: Int)
    /// A collective that waited out the fabric's timeout for the `missing` ranks.
    case collectiveTimedOut(rank: Int, seconds: Double, missing: [Int])
    /// A rank's thread ended without an outcome.
    case noOutcome(rank: Int)
    /// A program addresses a chiplet no rank of this run emulates.
    case notEmulated(chiplet: Int, peer: Int)
    /// A result payload ends before its last value.
    case resultTruncated(floats: Int)
    /// A logits payload ends inside a sequence's logits.
    case logitsTruncated
    /// A gather part claims more floats than its message holds.
    case gatherPartTooLong(source: Int, part: Int, claims: Int, remaining: Int)
    /// A gather's parts do not end where its message ends.
    case gatherLength(source: Int, floats: Int, parts: Int, endsAt: Int)
    /// Numeric mode cannot split this model so (heads, experts or the batch do not divide).
    case numericSplit(reason: String)
    /// Numeric mode needs the batch to divide into decode microbatches × EP.
    case numericBatch(batch: Int, microbatches: Int, ep: Int)
    /// A numeric all-reduce or combine received another number of floats than it reduces.
    case numericPayload(operation: String, chiplet: Int, got: Int, expected: Int)
    /// Rank 0 lacks a sequence's final logits.
    case missingLogits(sequence: Int, got: Int, sequences: Int)
    /// The trace file could not be written.
    case traceNotWritten(path: String, reason: String)

    public var description: String {
        switch self {
        case .rankCount(let started, let needed, let strategy, let oneReplica, let replicaChiplets):
            let what = oneReplica ? "one data-parallel replica of the plan (\(strategy)) has \(needed) chiplets"
                : "the plan (\(strategy)) has \(needed) chiplets"
            return "\(started) ranks started but \(what); start \(needed) ranks"
                + (replicaChiplets.map { ", or \($0) with --one-replica" } ?? "")
        case .planHashes(let rank0Hash, let rank, let hash):
            return "ranks hold different plans: rank 0 has plan hash \(Self.hex(rank0Hash)), rank \(rank) has "
                + "\(Self.hex(hash)); give every rank the same plan file"
        case .noSuchRank(let rank, let peer, let size, let sending):
            return "rank \(rank) \(sending ? "sends to" : "receives from") rank \(peer); the fabric has ranks 0..<\(size)"
        case .peerFinished(let rank, let peer, let waiting):
            return "rank \(rank) waits on rank \(peer), which has finished its program without sending it; waiting for \(waiting)"
        case .peerFailed(let rank, let peer, let failure, let waiting):
            return "rank \(rank) waits on rank \(peer), which failed: \(failure); waiting for \(waiting)"
        case .receiveTimedOut(let rank, let peer, let seconds, let waiting):
            return "rank \(rank) waited \(seconds) s on rank \(peer) and gave up; waiting for \(waiting)"
        case .collectivePeerEnded(let rank, let peer):
            return "rank \(rank) waits in a collective for rank \(peer), which has ended"
        case .collectiveTimedOut(let rank, let seconds, let missing):
            return "rank \(rank) waited \(seconds) s in a collective for ranks \(missing)"
        case .noOutcome(let rank):
            return "rank \(rank) produced no result"
        case .notEmulated(let chiplet, let peer):
            return "chiplet \(chiplet) addresses chiplet \(peer), which is not emulated in this run"
        case .resultTruncated(let floats):
            return "result payload ends after \(floats) floats; expected more"
        case .logitsTruncated:
            return "logits payload is truncated"
        case .gatherPartTooLong(let source, let part, let claims, let remaining):
            return "rank \(source) sent a gather whose part \(part) claims \(claims) floats; \(remaining) remain"
        case .gatherLength(let source, let floats, let parts, let endsAt):
            return "rank \(source) sent a gather of \(floats) floats; \(parts) parts end at \(endsAt)"
        case .numericSplit(let reason):
            return "numeric mode: \(reason)"
        case .numericBatch(let batch, let microbatches, let ep):
            return "numeric mode needs the batch (\(batch)) to divide into \(microbatches) microbatches × EP \(ep)"
        case .numericPayload(let operation, let chiplet, let got, let expected):
            return "numeric \(operation) on chiplet \(chiplet): got \(got) floats for \(expected)"
        case .missingLogits(let sequence, let got, let sequences):
            return "numeric mode: no final logits of sequence \(sequence) reached rank 0 (got \(got) of \(sequences))"
        case .traceNotWritten(let path, let reason):
            return "cannot write the trace to \(path): \(reason)"
        }
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
