import Foundation
import MessagePassing
import Testing

/// Runs the built `tessera` under real `mpirun`. `make test` builds it before `swift test`.
@Suite(.serialized) struct MPIRunTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let tessera = packageRoot.appendingPathComponent(".build/debug/tessera").path

    func launch(_ ranks: Int, _ arguments: [String]) throws -> MPILauncher.Outcome {
        try #require(FileManager.default.isExecutableFile(atPath: Self.tessera),
                     "build the binary first: swift build (make test does)")
        return try MPILauncher.run(ranks: ranks, executable: Self.tessera, arguments: arguments, timeoutSeconds: 60)
    }

    /// Runs `tessera <arguments>` as one plain process from the package root: its status, standard
    /// output and standard error (through a file, so neither pipe can fill while the other is read).
    static func plain(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-plain-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tessera)
        process.currentDirectoryURL = packageRoot
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text, try String(contentsOf: errorFile, encoding: .utf8))
    }

    /// The table rows of `tessera doctor`: the lines after the `rank  host …` header, up to a blank line.
    func tableRows(_ output: String) -> [[String]] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("rank  host") }) else { return [] }
        return lines[(header + 1)...].prefix { !$0.isEmpty && !$0.hasPrefix("note:") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
    }

    @Test func fourRanksEachReportTheAllReduceSum() throws {
        let outcome = try launch(4, ["doctor", "--expect", "4", "--bind"])
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let rows = tableRows(outcome.output)
        #expect(rows.map { $0[0] } == ["0", "1", "2", "3"])
        #expect(rows.map { $0.suffix(3).joined(separator: " ") } == Array(repeating: "ok (sum 10)", count: 4))
        #expect(outcome.output.contains("MPI world        4 ranks under mpirun"))
        // All four ranks share this host, so UCX keeps to shared memory (unless CI's environment set it).
        if ProcessInfo.processInfo.environment["UCX_TLS"] == nil {
            #expect(outcome.output.contains("MPI settings     HWLOC_PLUGINS_BLACKLIST=hwloc_gl,hwloc_opencl,hwloc_pci,"
                                            + "hwloc_xml_libxml UCX_TLS=self,posix UCX_POSIX_FIFO_SIZE=32 UCX_POSIX_SEG_SIZE=2048\n"))
        }
        #expect(outcome.output.hasSuffix("No problems found.\n"))
    }

    @Test func boundRanksReadBackOneCoreEach() throws {
        let outcome = try launch(2, ["doctor", "--bind"])
        let host = try #require(try? HostPUs.byCore())
        #expect(tableRows(outcome.output).map { $0[3] } == host.prefix(2).map { $0.map(String.init).joined(separator: ",") })
    }

    @Test func aWorldOfTheWrongSizeIsAProblem() throws {
        let outcome = try launch(2, ["doctor", "--expect", "3"])
        #expect(outcome.exitStatus == 1)
        #expect(outcome.output.contains(
            "  - expected 3 ranks, but the world has 2: start with `mpirun -n 3 tessera doctor`\n"))
    }

    @Test func sixteenRanksWithCooperativeWaitsFinishOnThisHost() throws {
        let outcome = try launch(16, ["bench", "mpi", "--machine-readable", "--policies", "cooperative",
                                      "--iterations", "10", "--round-trips", "50", "--budget-seconds", "0.2",
                                      "--bytes", "65536"])
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let lines = outcome.output.split(separator: "\n").filter { $0.hasPrefix("BENCH ") }
        #expect(lines.map { $0.split(separator: " ").prefix(5).joined(separator: " ") } == [
            "BENCH ranks=16 policy=cooperative op=allreduce bytes=65536",
            "BENCH ranks=16 policy=cooperative op=pingpong bytes=8",
        ])
    }
}
