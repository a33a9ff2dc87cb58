import Foundation

/// Finding and running `mpirun` (MPICH's Hydra). Every place that launches ranks goes through
/// here, so the launcher flags live in one spot.
public enum MPILauncher {
    /// Hydra's flags for a single host: `fork` starts ranks directly, without ssh, which is what
    /// containers and CI machines need.
    public static let hostFlags = ["-launcher", "fork"]

    /// Environment variables the MPI launcher sets in every rank (MPICH's PMI, Open MPI's ORTE).
    public static let launcherVariables = ["PMI_RANK", "PMI_SIZE", "PMI_FD", "OMPI_COMM_WORLD_SIZE"]

    /// Whether this process was started by an MPI launcher rather than run plainly.
    public static func isUnderLauncher(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Bool
    {
        launcherVariables.contains { environment[$0] != nil }
    }

    /// The path of `mpirun` on `PATH`, or nil.
    public static func findMpirun(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String?
    {
        let directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return directories.map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The argument vector that runs `executable arguments…` on `ranks` ranks, with hydra's
    /// `launcherFlags` (default: this host only).
    public static func command(mpirun: String, ranks: Int, executable: String, arguments: [String],
                               launcherFlags: [String] = hostFlags) -> [String] {
        [mpirun] + launcherFlags + ["-n", String(ranks), executable] + arguments
    }

    /// What a launched run printed and how it ended.
    public struct Outcome: Sendable {
        public let exitStatus: Int32
        public let output: String
        public let errorOutput: String
    }

    /// Runs `executable arguments…` on `ranks` ranks, waits (at most `timeoutSeconds`, then stops
    /// the run), and collects its output. `launcherFlags` replace `hostFlags` (to name hosts, say).
    public static func run(ranks: Int, executable: String, arguments: [String], timeoutSeconds: Double? = nil,
                           launcherFlags: [String] = hostFlags) throws(LaunchError) -> Outcome
    {
        guard let mpirun = findMpirun() else { throw .mpirunNotFound }
        let argv = command(mpirun: mpirun, ranks: ranks, executable: executable, arguments: arguments,
                           launcherFlags: launcherFlags)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = Array(argv.dropFirst())
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .couldNotStart(argv.joined(separator: " "), "\(error)") }
        // Read both pipes before waiting, so a chatty run cannot fill a pipe and stall.
        let errorData = Box(Data())
        let errorsRead = DispatchSemaphore(value: 0)
        Thread {
            errorData.value = errors.fileHandleForReading.readDataToEndOfFile()
            errorsRead.signal()
        }.start()
        let timedOut = Box(false)
        if let timeoutSeconds {
            let running = Box(process)
            DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                guard running.value.isRunning else { return }
                timedOut.value = true
                running.value.terminate()
            }
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorsRead.wait()
        if timedOut.value { throw .timedOut(argv.joined(separator: " "), seconds: timeoutSeconds ?? 0) }
        return Outcome(exitStatus: process.terminationStatus,
                       output: String(decoding: outputData, as: UTF8.self),
                       errorOutput: String(decoding: errorData.value, as: UTF8.self))
    }
}

/// Why a launch did not happen.
public enum LaunchError: Error, Sendable, Equatable, CustomStringConvertible {
    case mpirunNotFound
    case couldNotStart(String, String)
    case timedOut(String, seconds: Double)

    public var description: String {
        switch self {
        case .mpirunNotFound:
            "no mpirun on PATH: install MPICH (`make deps` or scripts/install-deps.sh)"
        case .couldNotStart(let command, let reason):
            "could not start `\(command)`: \(reason)"
        case .timedOut(let command, let seconds):
            "`\(command)` did not finish within \(seconds) s and was stopped"
        }
    }
}

/// A value handed from the reader thread to the launching one; the semaphore orders the accesses.
private final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
