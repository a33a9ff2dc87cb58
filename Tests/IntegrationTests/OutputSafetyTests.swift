import Foundation
import Testing

/// Outputs never destroy (issue 15): a FIFO, a directory or a device given as an output is refused
/// in one line and left as it was; `-o -` is standard output; a failed write to stdout exits non-zero.
@Suite struct OutputSafetyTests {
    func tessera(_ arguments: [String], stdout: FileHandle? = nil) throws -> PlanCommandTests.Run {
        try PlanCommandTests().tessera(arguments, stdout: stdout)
    }

    static let plan = ["plan", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-a100.yaml",
                       "--input-tokens", "64", "--output-tokens", "16", "--max-batch", "8", "--tp", "1", "--pp", "1"]

    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-out-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    func kind(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func aFIFOIsRefusedAndKept() throws {
        let fifo = try scratch() + "/out.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try tessera(Self.plan + ["-o", fifo])
        #expect(r.status == 1)
        #expect(r.err == "error: cannot write \(fifo): is a FIFO, not a regular file; outputs are written only to "
            + "regular files or new paths (use - for standard output)\n")
        #expect(kind(fifo) == S_IFIFO)
    }

    @Test func aDirectoryIsRefused() throws {
        let dir = try scratch()
        let r = try tessera(Self.plan + ["-o", dir])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("error: cannot write \(dir): is a directory, not a regular file"))
        #expect(kind(dir) == S_IFDIR)
    }

    @Test func aDeviceIsRefused() throws {
        let r = try tessera(Self.plan + ["-o", "/dev/null"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("error: cannot write /dev/null: is a character device, not a regular file"))
        #expect(kind("/dev/null") == S_IFCHR)
    }

    @Test func aFolderOutputThatIsAFileIsRefused() throws {
        let dir = try scratch()
        let planPath = dir + "/plan.json"
        #expect(try tessera(Self.plan + ["-o", planPath]).status == 0)
        let file = dir + "/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let r = try tessera(["lower", planPath, "-o", file])
        #expect(r.status != 0)
        #expect(r.err.contains("cannot write \(file): is not a regular file") || r.err.contains("not a folder"), "\(r.err)")
        let fifo = dir + "/chiplets"
        try FileManager.default.createDirectory(atPath: fifo, withIntermediateDirectories: true)
        #expect(mkfifo(fifo + "/index.json", 0o600) == 0)
        let l = try tessera(["lower", planPath, "-o", fifo])
        #expect(l.status != 0)
        #expect(l.err.contains("is a FIFO"), "\(l.err)")
        #expect(kind(fifo + "/index.json") == S_IFIFO)
    }

    @Test func dashIsStandardOutput() throws {
        let r = try tessera(Self.plan + ["-o", "-", "--json"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("\"schemaVersion\"") || r.out.contains("\"strategy\""))
        #expect(!FileManager.default.fileExists(atPath: MPIRunTests.packageRoot.appendingPathComponent("-").path))
    }

    @Test func aFullStandardOutputExitsNonZero() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let r = try tessera(["model", "Workloads/tiny-llama.json", "--json"], stdout: full)
        #expect(r.status == 1)
        #expect(r.err == "error: cannot write standard output: No space left on device\n")
    }
}

/// Numbers that parse but mean nothing (issue 15): nan, inf and absurd flag values are refused
/// with the largest supported value, before any rank starts.
@Suite struct FlagBoundsTests {
    @Test func nanAndAbsurdFlagsAreRefused() throws {
        let t = PlanCommandTests()
        let sleep = try t.tessera(["emulate", "nonexistent-plan.json", "--max-sleep-us", "nan"])
        #expect(sleep.status != 0)
        #expect(sleep.err.contains("--max-sleep-us: expected a finite number of µs, got nan"), "\(sleep.err)")
        let rate = try t.tessera(["emulate", "nonexistent-plan.json", "--requests", "10", "--rate", "1e300"])
        #expect(rate.err.contains("--rate: expected at most 1000000000 requests per second"), "\(rate.err)")
        let ttft = try t.tessera(OutputSafetyTests.plan + ["--max-ttft-ms", "inf"])
        #expect(ttft.status != 0)
        #expect(ttft.err.contains("--max-ttft-ms: expected a finite number of ms, got inf"), "\(ttft.err)")
    }
}

/// Every hidden option of `emulate` (test hooks and tuning) and of `emulate-monitor` is checked
/// like the others: one line naming the flag, what it expects and what it got, before MPI starts.
@Suite struct HiddenFlagTests {
    @Test(arguments: [
        (["--max-sleep-us", "nan"], "Error: --max-sleep-us: expected a finite number of µs, got nan"),
        (["--max-sleep-us", "inf"], "Error: --max-sleep-us: expected a finite number of µs, got inf"),
        (["--max-sleep-us=-1"], "Error: --max-sleep-us: expected 0 or more µs, got -1"),
        (["--max-sleep-us", "1e7"], "Error: --max-sleep-us: expected at most 1000000 µs (one second; longer sleeps only delay the doorbells), got 10000000"),
        (["--progress-every-seconds", "nan"], "Error: --progress-every-seconds: expected a finite number of seconds, got nan"),
        (["--progress-every-seconds=-2"], "Error: --progress-every-seconds: expected 0 or more seconds, got -2"),
        (["--progress-every-seconds", "1e9"], "Error: --progress-every-seconds: expected at most 86400 seconds (a day), got 1000000000"),
        (["--plan-for-rank", "x"], "Error: --plan-for-rank: expected RANK=PATH, got x"),
        (["--plan-for-rank=-3=p.json"], "Error: --plan-for-rank: expected a rank from 0 to 1048575, got -3"),
        (["--plan-for-rank", "99999999999=p.json"], "Error: --plan-for-rank: expected a rank from 0 to 1048575, got 99999999999"),
        (["--watchdog-seconds", "nan"], "Error: --watchdog-seconds must be > 0, got nan"),
    ])
    func hiddenEmulateFlagsAreRefusedInOneLine(arguments: [String], message: String) throws {
        let run = try PlanCommandTests().tessera(["emulate", "nonexistent-plan.json"] + arguments)
        #expect(run.status == 64)
        #expect(run.err.split(separator: "\n").first.map(String.init) == message, "\(run.err)")
    }

    @Test func monitorArgumentsAreChecked() throws {
        let t = PlanCommandTests()
        let name = try t.tessera(["emulate-monitor", "/etc/passwd", "4"])
        #expect(name.status == 64 && name.err.hasPrefix("Error: expected a board name /tessera-ranks-…, got /etc/passwd\n"))
        let count = try t.tessera(["emulate-monitor", "/tessera-ranks-1-2", "1000000"])
        #expect(count.status == 64 && count.err.hasPrefix("Error: expected 2 to 65536 local ranks, got 1000000\n"))
    }
}
