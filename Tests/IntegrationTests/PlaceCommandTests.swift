import Foundation
import MessagePassing
import Testing

/// `tessera place` and `tessera emulate --fail` as a user runs them: a plan placed around a
/// lost chiplet, then emulated under real `mpirun` while another chiplet fails.
@Suite(.serialized) struct PlaceCommandTests {
    static let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("tessera-place-tests-\(getpid())").path

    /// Runs the built tessera from the package root: (exit status, stdout, stderr).
    func tessera(_ arguments: [String]) throws -> (Int32, String, String) {
        try #require(FileManager.default.isExecutableFile(atPath: MPIRunTests.tessera), "build first: swift build")
        let process = Process(), out = Pipe(), err = Pipe()
        process.executableURL = URL(fileURLWithPath: MPIRunTests.tessera)
        process.currentDirectoryURL = MPIRunTests.packageRoot
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    /// Llama-3-8B as TP 2 × PP 2 on DGX-H100, 256 → 8 tokens, batch 4.
    func plan() throws -> String {
        try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        let path = "\(Self.directory)/plan.json"
        let (status, _, err) = try tessera(["plan", "--model", "Workloads/llama-3-8b.json", "--cluster", "Clusters/dgx-h100.yaml",
                                            "--tp", "2", "--pp", "2", "--input-tokens", "256", "--output-tokens", "8",
                                            "--batch", "4", "--mode", "static", "-o", path])
        try #require(status == 0, "\(err)")
        return path
    }

    @Test func placesAroundALostChipletAndEmulatesAFailureUnderMPI() throws {
        let plan = try plan(), placed = "\(Self.directory)/placed.json"
        let (status, out, err) = try tessera(["place", plan, "--cluster", "Clusters/dgx-h100.yaml", "--available", "all-except:0",
                                              "-o", placed])
        #expect(status == 0, "\(err)")
        #expect(out.contains("2 of 4 roles moved off their ideal chiplet (role i on chiplet i); 1 chiplets not free, 251 spares left"))
        #expect(out.contains("TP groups: 2 inside one node (planned: node)"))
        #expect(out.contains("TPOT") && out.contains("+0.0%"))

        let run = try MPILauncher.run(ranks: 4, executable: MPIRunTests.tessera,
                                      arguments: ["emulate", placed, "--fail", "3@1ms", "--watchdog-seconds", "20"],
                                      timeoutSeconds: 120)
        #expect(run.exitStatus == 0, "\(run.errorOutput)")
        // Roles 2 and 3 kept chiplets 2 and 3; roles 0 and 1 moved to the free chiplets 1 and 4
        // of the same node, so chiplet 3's role (stage 1) goes to the next spare there, 5.
        #expect(run.output.contains("failure: chiplet 3 (role 3: stage 1, TP rank 1, DP rank 0) lost at"))
        #expect(run.output.contains("its role moved to spare chiplet 5 (its TP group stays inside one node)"))
        let line = try #require(run.output.split(separator: "\n").first { $0.hasPrefix("lost ") })
        #expect(line.contains("detection 10 ms + weight reload") && line.contains("from storage across cluster"))
    }

    @Test func refusesInOneLineWhenTheFreeSetIsTooSmall() throws {
        let plan = try plan()
        let (status, out, err) = try tessera(["place", plan, "--cluster", "Clusters/dgx-h100.yaml", "--available", "0-2",
                                              "-o", "\(Self.directory)/never.json"])
        #expect(status == 1 && out.isEmpty)
        #expect(err == "error: \(plan): cannot place it on dgx-h100: the plan has 4 roles but only 3 of the cluster's 256 chiplets are free and usable (1 short)\n")
        #expect(!FileManager.default.fileExists(atPath: "\(Self.directory)/never.json"))
        let (failStatus, _, failErr) = try tessera(["emulate", plan, "--fail", "9@1ms"])
        #expect(failStatus == 1)
        #expect(failErr == "error: --fail: chiplet 9 holds no role of this plan (its 4 roles run on 0-3)\n")
    }
}
