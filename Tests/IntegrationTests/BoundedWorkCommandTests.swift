import Foundation
import Testing

/// Issue 15 through the command line: work is counted before it starts and refused with the figure
/// and the flag that raises the limit; absurd cluster sizes and negative numbers are one line.
@Suite struct BoundedWorkCommandTests {
    let t = PlanCommandTests()

    @Test func aSearchPastTheLimitIsRefusedWithTheFigureAndTheFlag() throws {
        let search = ["plan", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-a100.yaml",
                      "--input-tokens", "64", "--output-tokens", "16", "--max-batch", "8"]
        let r = try t.tessera(search + ["--max-candidates", "319"])
        #expect(r.status == 1)
        #expect(r.err == "error: Clusters/dgx-a100.yaml: a search of tiny-llama on 32 chiplets could price 320 candidates, "
            + "over the limit of 319; raise it with --max-candidates, or fix --tp/--pp/--batch\n")
        #expect(r.out.isEmpty)
        #expect(try t.tessera(search + ["--max-candidates", "320"]).status == 0)
    }

    @Test func aSweepPastTheLimitIsRefusedBeforeAnySearch() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-points-\(getpid())").path
        let spec = "Tests/CapacityTests/Fixtures/tiny.yaml"
        let r = try t.tessera(["capacity", spec, "-o", folder, "--max-points", "19"])
        #expect(r.status == 1)
        #expect(r.err == "error: \(spec): layouts: expected at most 19 points (layouts × workloads; raise it with --max-points), got 20\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/results.sqlite"))
    }

    /// A level of 2^62 chiplets trapped multiplying counts; one of 1e9 hung the search.
    @Test func absurdClusterLevelsAreOneLine() throws {
        let text = try String(contentsOfFile: MPIRunTests.packageRoot.appendingPathComponent("Clusters/dgx-a100.yaml").path, encoding: .utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(getpid()).yaml").path
        for count in ["4611686018427387904", "1000000000"] {
            try text.replacingOccurrences(of: "count: 4 ", with: "count: \(count) ").write(toFile: path, atomically: false, encoding: .utf8)
            let r = try t.tessera(["plan", "--model", "Workloads/tiny-llama.json", "--cluster", path])
            #expect(r.status == 1)
            #expect(r.err == "error: \(path): levels[1].count: expected at most 1048576 (2^20) units per level, got \(count)\n")
        }
    }

    /// `--tp -1` was "Missing value for '--tp <tp>'"; now the flag's own check names the number.
    @Test func negativeNumbersReachTheirChecks() throws {
        let r = try t.tessera(["plan", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-a100.yaml", "--tp", "-1"])
        #expect(r.status == 64)
        #expect(r.err.hasPrefix("Error: --tp must be at least 1, got -1\n"), "\(r.err)")
        let rate = try t.tessera(["emulate", "plan.json", "--requests", "4", "--rate", "-5"])
        #expect(rate.err.hasPrefix("Error: --rate: expected more than 0 requests per second, got -5\n"), "\(rate.err)")
    }
}

/// A hand-edited plan whose link bandwidth is 1e-300 GB/s emulated to a TPOT of 2e298 ms with exit
/// 0; `emulate` and `lower` now refuse it at load, in one line, before any rank starts.
@Suite struct HostilePlanCommandTests {
    @Test func aMeaninglessPlanIsRefusedByEmulateAndLower() throws {
        let t = PlanCommandTests()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-hostile-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/plan.json"
        #expect(try t.tessera(Array(OutputSafetyTests.plan.dropLast(4)) + ["--tp", "2", "--pp", "2", "-o", path]).status == 0)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var levels = try #require(json["levels"] as? [[String: Any]])
        levels[0]["bandwidthGBps"] = 1e-300
        json["levels"] = levels
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        for command in [["emulate", path], ["lower", path, "-o", dir + "/programs"]] {
            let r = try t.tessera(command)
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("error: \(path): inconsistent plan: levels[0]: expected a known topology, a positive count "
                + "and chipletsPerUnit, bandwidthGBps from 1e-9 to 1e12"), "\(r.err)")
            #expect(r.err.filter { $0 == "\n" }.count == 1)
        }
    }
}

/// Unhelpful messages (issue 15): a directory or a missing file given as an input was Foundation's
/// "The operation could not be completed. (NSCocoaErrorDomain error 256.)"; every loader now says why in words.
@Suite struct UnreadableInputTests {
    @Test func directoriesAndMissingFilesAreNamedInWords() throws {
        let t = PlanCommandTests()
        let dir = FileManager.default.temporaryDirectory.path
        let cases: [([String], String)] = [
            (["model", dir], "error: \(dir): cannot read the file: is a directory, not a file\n"),
            (["model", "/nonexistent/x.json"], "error: /nonexistent/x.json: cannot read the file: no such file\n"),
            (["cluster", dir], "error: \(dir): cannot read the file (is a directory, not a file)\n"),
            (["emulate", dir], "error: \(dir): cannot read it (is a directory, not a file)\n"),
            (["capacity", dir, "-o", dir + "/never"], "error: \(dir): cannot read the file (is a directory, not a file)\n"),
        ]
        for (arguments, expected) in cases {
            let r = try t.tessera(arguments)
            #expect(r.status == 1)
            #expect(r.err == expected)
        }
    }
}

/// `tessera hostmap --topology` with a synthetic host of 131,072 PUs: refused with the figure and
/// the flag before hwloc builds it ("pack:1000 core:1000 pu:100" hung).
@Suite struct SyntheticTopologyCommandTests {
    @Test func aLargeSyntheticHostIsRefusedWithTheFlag() throws {
        let t = PlanCommandTests()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostmap-plan-\(getpid()).json").path
        #expect(try t.tessera(OutputSafetyTests.plan + ["-o", path]).status == 0)
        let r = try t.tessera(["hostmap", path, "--topology", "pack:64 core:1024 pu:2"])
        #expect(r.status == 1)
        #expect(r.err == "error: synthetic topology \"pack:64 core:1024 pu:2\": it describes 131072 PUs, over the limit of 65536; "
            + "raise it with --max-pus (up to 1048576) (expected e.g. \"pack:2 numa:2 core:8 pu:2\")\n")
        let small = try t.tessera(["hostmap", path, "--topology", "pack:1 core:4 pu:1", "--max-pus", "4"])
        #expect(small.status == 0, "\(small.err)")
        #expect(try t.tessera(["hostmap", path, "--max-pus", "0"]).err.hasPrefix("Error: --max-pus: expected 1 to 1048576, got 0\n"))
    }
}

/// Devices destroyed (issue 15): besides `plan -o` and `lower -o` (OutputSafetyTests), the trace,
/// the request CSV and the capacity folder refuse a device before any work, and leave it a device.
@Suite struct DeviceOutputTests {
    @Test func traceRequestsAndCapacityOutputsRefuseADevice() throws {
        let t = PlanCommandTests()
        let refusal = "cannot write /dev/null: is a character device"
        let plan = FileManager.default.temporaryDirectory.appendingPathComponent("device-plan-\(getpid()).json").path
        #expect(try t.tessera(OutputSafetyTests.plan + ["-o", plan]).status == 0)
        let trace = try t.tessera(["emulate", plan, "--trace", "/dev/null"])
        #expect(trace.status != 0)
        #expect(trace.err.hasPrefix("error: cannot write the trace to /dev/null: is a character device, not a regular file"), "\(trace.err)")
        let csv = try t.tessera(["emulate", plan, "--requests", "4", "--rate", "1", "--requests-csv", "/dev/null"])
        #expect(csv.status != 0)
        #expect(csv.err.hasPrefix("Error: " + refusal + ", not a regular file"), "\(csv.err)")
        let capacity = try t.tessera(["capacity", "Tests/CapacityTests/Fixtures/tiny.yaml", "-o", "/dev/null"])
        #expect(capacity.status == 1)
        #expect(capacity.err == "error: " + refusal + ", not a folder\n")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }
}
