import Foundation
import MessagePassing

/// How `tessera bench` starts its measuring runs: this same binary under `mpirun`, one job per
/// rank count, reading back what rank 0 prints.
public enum BenchLaunch {
    /// This binary, for mpirun to start on every rank.
    public static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Whether this process is one rank of a job mpirun started (then it measures, not launches).
    public static var isWorker: Bool { MPILauncher.isUnderLauncher() }

    /// Runs `tessera <arguments>` on `ranks` ranks and returns its standard output, or nil when
    /// the job did not finish within `timeoutSeconds`.
    public static func run(ranks: Int, arguments: [String], timeoutSeconds: Double) throws -> String? {
        let outcome: MPILauncher.Outcome
        do {
            outcome = try MPILauncher.run(
                ranks: ranks, executable: executablePath(), arguments: arguments,
                timeoutSeconds: timeoutSeconds)
        } catch LaunchError.timedOut { return nil }
        guard outcome.exitStatus == 0 else {
            throw BenchError.workerFailed(ranks: ranks, status: outcome.exitStatus, errors: outcome.errorOutput)
        }
        return outcome.output
    }
}

public enum BenchError: Error, CustomStringConvertible {
    case workerFailed(ranks: Int, status: Int32, errors: String)
    case tooFewRanks(command: String, needed: Int, worldSize: Int)

    public var description: String {
        switch self {
        case .workerFailed(let ranks, let status, let errors):
            let tail = errors.split(separator: "\n").suffix(3).joined(separator: "\n")
            return "the \(ranks)-rank run exited with status \(status)" + (tail.isEmpty ? "" : ":\n\(tail)")
        case .tooFewRanks(let command, let needed, let worldSize):
            return "\(command) needs at least \(needed) ranks; got a world of \(worldSize)"
        }
    }
}
