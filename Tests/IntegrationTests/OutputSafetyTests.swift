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
