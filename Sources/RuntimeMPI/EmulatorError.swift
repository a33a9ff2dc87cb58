import Foundation
import MessagePassing

/// Why an emulation under mpirun could not start or did not finish.
public enum EmulatorError: Error, CustomStringConvertible {
    /// The world has a different size from what the plan needs.
    case rankCount(chiplets: Int, ranks: Int, oneReplica: Bool, replicaRanks: Int)
    /// Run without mpirun, a plan that needs more than one rank.
    case notUnderMpirun(ranks: Int, command: String)
    /// Some rank holds another plan than rank 0.
    case planHash(rank: Int, hash: UInt64, rank0Hash: UInt64)
    /// The plan file could not be read or decoded.
    case planFile(path: String, reason: String)
    /// Other ranks could not read their plan file (each says why on its own).
    case planUnreadable(ranks: [Int])
    /// A `--binding` file line that is not `rank pu,pu,…`, or that lacks this rank.
    case bindingFile(path: String, line: Int, reason: String)
    /// A wait made no progress within the watchdog's limit.
    case watchdog(rank: Int, peer: Int, waiting: String, seconds: Double)
    /// An arrival that is not a fabric message (header missing or counts disagree).
    case malformedMessage(source: Int, count: Int)
    /// MPI itself failed.
    case transport(MPIError)

    /// Whether every rank reaches the same error at the same point (so rank 0 alone reports it and
    /// all exit), rather than one rank failing alone (which aborts the job).
    public var isCollective: Bool {
        switch self {
        case .rankCount, .planHash, .notUnderMpirun, .planFile, .planUnreadable: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .rankCount(let chiplets, let ranks, let oneReplica, let replicaRanks):
            let needed = oneReplica ? replicaRanks : chiplets
            let what = oneReplica ? "one replica of the plan has \(replicaRanks) chiplets"
                : "the plan has \(chiplets) chiplets"
            var text = "\(what) but mpirun started \(ranks) ranks; run mpirun -n \(needed) …"
            if !oneReplica && replicaRanks < chiplets {
                text += " or add --one-replica for one replica (\(replicaRanks) ranks)"
            }
            return text
        case .notUnderMpirun(let ranks, let command):
            return "this plan needs \(ranks) ranks, one per chiplet; launch it under mpirun:\n  \(command)"
        case .planHash(let rank, let hash, let rank0Hash):
            return "rank \(rank) holds a different plan (hash \(hex(hash))) than rank 0 (hash \(hex(rank0Hash)))"
        case .planFile(let path, let reason):
            return "\(path): \(reason)"
        case .planUnreadable(let ranks):
            return "rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) could not read the plan file"
        case .bindingFile(let path, let line, let reason):
            return "\(path):\(line): \(reason) (expected lines `rank pu,pu,…`, as `tessera hostmap -o` writes)"
        case .watchdog(let rank, let peer, let waiting, let seconds):
            return "rank \(rank) waits on rank \(peer): \(waiting) "
                + "(watchdog: no progress for \(String(format: "%.1f", seconds)) s; aborting)"
        case .malformedMessage(let source, let count):
            return "rank \(source) sent \(count) values, which is not a fabric message (header and payload)"
        case .transport(let error):
            return "\(error)"
        }
    }

    private func hex(_ value: UInt64) -> String { String(format: "%016llx", value) }
}
