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

extension BenchLaunch {
    /// Runs `tessera <arguments>` as one plain process (to write a plan, say); its output is dropped
    /// and a non-zero exit throws with its standard error.
    public static func tessera(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath())
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError.commandFailed(command: "tessera " + arguments.joined(separator: " "), errors: message)
        }
    }
}

public enum BenchError: Error, CustomStringConvertible {
    case workerFailed(ranks: Int, status: Int32, errors: String)
    case commandFailed(command: String, errors: String)
    case tooFewRanks(command: String, needed: Int, worldSize: Int)

    public var description: String {
        switch self {
        case .workerFailed(let ranks, let status, let errors):
            let tail = errors.split(separator: "\n").suffix(3).joined(separator: "\n")
            return "the \(ranks)-rank run exited with status \(status)" + (tail.isEmpty ? "" : ":\n\(tail)")
        case .commandFailed(let command, let errors):
            return "`\(command)` failed: \(errors)"
        case .tooFewRanks(let command, let needed, let worldSize):
            return "\(command) needs at least \(needed) ranks; got a world of \(worldSize)"
        }
    }
}
