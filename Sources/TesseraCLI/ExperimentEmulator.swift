import Benchmarks
import Capacity
import Foundation

/// The emulator of `tessera experiment run`: this binary under `mpirun -launcher fork`, one rank
/// per chiplet, read back from rank 0's `EMULATE` stats line and its notes.
enum ExperimentEmulator {
    static func run(_ launch: EmulationLaunch) throws -> EmulatedFigures {
        FileHandle.standardError.write(Data("  emulating \(launch.ranks) ranks: \(launch.arguments.dropFirst().joined(separator: " "))\n".utf8))
        let start = Date()
        guard let output = try BenchLaunch.run(ranks: launch.ranks, arguments: launch.arguments, timeoutSeconds: launch.timeoutSeconds)
        else { throw ExperimentEmulatorError.timedOut(ranks: launch.ranks, seconds: launch.timeoutSeconds) }
        let jobSeconds = Date().timeIntervalSince(start)
        let lines = output.split(separator: "\n")
        guard let stats = lines.lazy.compactMap(EmulateStatsLine.init(line:)).first, let tokensPerSecond = stats.tokensPerSecond else {
            throw ExperimentEmulatorError.noStats(output: String(output.suffix(500)))
        }
        let notes = lines.filter { $0.hasPrefix("note: ") }.map { String($0.dropFirst("note: ".count)) }
        return EmulatedFigures(ranks: stats.ranks, messages: stats.messages, ttftMs: stats.ttftMs, tpotMs: stats.tpotMs,
                               outputTokensPerSecond: tokensPerSecond, wallSeconds: stats.wallSeconds, jobSeconds: jobSeconds,
                               notes: notes)
    }
}

enum ExperimentEmulatorError: Error, CustomStringConvertible {
    case timedOut(ranks: Int, seconds: Double)
    case noStats(output: String)

    var description: String {
        switch self {
        case let .timedOut(ranks, seconds): "the \(ranks)-rank emulation did not finish within \(seconds) s (timeoutSeconds)"
        case let .noStats(output): "the emulation printed no EMULATE stats line; its output ended:\n\(output)"
        }
    }
}
