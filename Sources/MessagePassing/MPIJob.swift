import Foundation

/// A job started under `mpirun` that runs while its caller watches it: to kill one rank's process
/// and see what the job does (the rank-fault tests and `tessera bench failures`). Output goes to
/// files, so neither pipe can fill while the caller waits.
public final class MPIJob {
    public let process: Process
    private let outputFile: URL, errorFile: URL

    /// Starts `executable arguments…` on `ranks` ranks with hydra's `launcherFlags`.
    public init(ranks: Int, executable: String, arguments: [String],
                launcherFlags: [String] = MPILauncher.hostFlags) throws(LaunchError) {
        guard let mpirun = MPILauncher.findMpirun() else { throw .mpirunNotFound }
        let argv = MPILauncher.command(mpirun: mpirun, ranks: ranks, executable: executable, arguments: arguments,
                                       launcherFlags: launcherFlags)
        let stem = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-job-\(UUID().uuidString)")
        outputFile = stem.appendingPathExtension("out")
        errorFile = stem.appendingPathExtension("err")
        process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        do {
            for file in [outputFile, errorFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
            process.standardOutput = try FileHandle(forWritingTo: outputFile)
            process.standardError = try FileHandle(forWritingTo: errorFile)
            try process.run()
        } catch { throw .couldNotStart(argv.joined(separator: " "), "\(error)") }
    }

    deinit {
        if process.isRunning { process.terminate() }
        for file in [outputFile, errorFile] { try? FileManager.default.removeItem(at: file) }
    }

    /// Standard error so far.
    public var errorOutput: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }
    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Polls every 5 ms until `condition` holds or `timeoutSeconds` pass; whether it held.
    public func wait(until condition: () -> Bool, timeoutSeconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !condition() {
            if Date() > deadline || !process.isRunning { return condition() }
            usleep(5_000)
        }
        return true
    }

    /// The process ids of the ranks on this host (the children of hydra's proxy, mpirun's child), by rank.
    public func rankPIDs() -> [Int: Int32] {
        var ranks: [Int: Int32] = [:]
        for proxy in Self.children(of: process.processIdentifier) {
            for pid in Self.children(of: proxy) {
                guard let environment = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")) else { continue }
                let rank = environment.split(separator: 0).lazy.map { String(decoding: $0, as: UTF8.self) }
                    .first { $0.hasPrefix("PMI_RANK=") }.flatMap { Int($0.dropFirst("PMI_RANK=".count)) }
                if let rank { ranks[rank] = pid }
            }
        }
        return ranks
    }

    /// Waits for mpirun to exit (stopping it after `timeoutSeconds`): its status and output.
    public func finish(timeoutSeconds: Double) throws(LaunchError) -> MPILauncher.Outcome {
        if !wait(until: { !process.isRunning }, timeoutSeconds: timeoutSeconds) {
            process.terminate()
            process.waitUntilExit()
            throw .timedOut((process.arguments ?? []).joined(separator: " "), seconds: timeoutSeconds)
        }
        process.waitUntilExit()
        return MPILauncher.Outcome(exitStatus: process.terminationStatus, output: output, errorOutput: errorOutput)
    }

    private static func children(of pid: Int32) -> [Int32] {
        let path = "/proc/\(pid)/task/\(pid)/children"
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }
    }
}
