import Foundation
import MessagePassing
import Testing

/// A rank lost under a real `mpirun` (issue 15): `kill -9` or SIGSTOP of one rank's process while
/// the tiny model decodes a long output. The line names the rank, mpirun exits non-zero, rank 0's
/// trace so far is kept, and nothing of the job is left in /dev/shm. How soon the job ends is
/// `tessera bench failures`' figure; the 60 s limits here only guard against a hang.
@Suite(.serialized) struct RankFaultTests {
    /// TP 2 × PP 2 of tiny-llama with 100,000 output tokens: it runs until it is killed.
    func longPlan() throws -> String {
        try FileManager.default.createDirectory(atPath: EmulateRunTests.directory, withIntermediateDirectories: true)
        let scenario = EmulateRunTests.directory + "/long-scenario.json"
        let text = try String(contentsOfFile: EmulateRunTests.root + "/Workloads/scenarios/tiny-test.json", encoding: .utf8)
        try text.replacingOccurrences(of: "\"outputTokens\": 8,", with: "\"outputTokens\": 100000,")
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let path = EmulateRunTests.directory + "/long-tp2pp2.json"
        let plan = try PlanCommandTests().tessera([
            "plan", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/corsair-rack.yaml", "--scenario", scenario,
            "--weights", "mxint8", "--activations", "mxint8", "--kv-cache", "mxint8", "--tp", "2", "--pp", "2", "-o", path,
        ])
        try #require(plan.status == 0, "\(plan.err)")
        return path
    }

    /// Runs the long plan on 4 ranks (cooperative waits, so the doorbells are in play), sends
    /// `signal` to rank `victim` once rank 0 reports decode step 3, and returns what the job did,
    /// with this job's names left in /dev/shm (they carry a rank's or the proxy's process id).
    func run(killing victim: Int, with signal: Int32, trace: String) throws
        -> (outcome: MPILauncher.Outcome, pid: Int32, left: [String]) {
        try #require(FileManager.default.isExecutableFile(atPath: MPIRunTests.tessera), "build first: swift build")
        let job = try MPIJob(ranks: 4, executable: MPIRunTests.tessera, arguments: [
            "emulate", try longPlan(), "--wait", "cooperative", "--progress-every-seconds", "0", "--trace", trace,
        ])
        try #require(job.wait(until: { job.errorOutput.contains("decode step 3 of") }, timeoutSeconds: 60), "\(job.errorOutput)")
        let pids = job.rankPIDs()
        try #require(pids.count == 4, "rank pids: \(pids)")
        let pid = try #require(pids[victim])
        let owners = Set(pids.values.map { "\($0)" } + [String(parentPID(pid))])
        kill(pid, signal)
        let outcome = try job.finish(timeoutSeconds: 60)
        let left = try FileManager.default.contentsOfDirectory(atPath: "/dev/shm").filter { name in
            let parts = name.split(separator: "-")
            return name.hasPrefix("tessera-") && parts.count >= 3 && owners.contains(String(parts[2]))
        }
        return (outcome, pid, left)
    }

    func parentPID(_ pid: Int32) -> Int32 {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = text.lastIndex(of: ")") else { return -1 }
        return Int32(text[text.index(after: close)...].split(separator: " ")[1]) ?? -1
    }

    /// The `emulate: rank …` line of the monitor.
    func lostLine(_ errors: String) -> String? {
        errors.split(separator: "\n").first { $0.hasPrefix("emulate: rank ") && $0.contains(" lost (") }.map(String.init)
    }

    @Test func killNineOfOneRankNamesItEndsTheJobAndLeavesNothingInDevShm() throws {
        let trace = EmulateRunTests.directory + "/killed-trace.json"
        try? FileManager.default.removeItem(atPath: trace)
        var (outcome, pid, left) = try run(killing: 3, with: SIGKILL, trace: trace)
        // Known race, said plainly: on a loaded host (the suite's parallel tests on 2 cores) a
        // rank that hydra's clean-up killed can hang up before the killed one does (about 1 run in
        // 6 under four busy loops), and the monitor then names it. One retry; both runs must
        // leave nothing in /dev/shm.
        if lostLine(outcome.errorOutput)?.hasPrefix("emulate: rank 3 ") != true {
            #expect(left.isEmpty, "left in /dev/shm: \(left)")
            (outcome, pid, left) = try run(killing: 3, with: SIGKILL, trace: trace)
        }
        #expect(outcome.exitStatus != 0)
        let line = try #require(lostLine(outcome.errorOutput), "no line naming the rank in:\n\(outcome.errorOutput)")
        #expect(line.hasPrefix("emulate: rank 3 (chiplet 3: stage 1, TP rank 1) lost (its process \(pid) ended unfinished: "
                               + "kill -9, a crash or the OOM killer) while in decode step "), "\(line)")
        #expect(outcome.errorOutput.components(separatedBy: " lost (").count == 2, "one line, for the lost rank only")
        #expect(left.isEmpty, "left in /dev/shm: \(left)")
        // Rank 0's trace so far (kept every 2 s, then 4 s, …) is whole JSON, or there is none yet.
        if let data = FileManager.default.contents(atPath: trace) {
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect((json["traceEvents"] as? [Any])?.isEmpty == false)
        }
    }

    @Test func aStoppedRankIsNamedAndTheJobEnds() throws {
        let trace = EmulateRunTests.directory + "/stopped-trace.json"
        let (outcome, _, left) = try run(killing: 2, with: SIGSTOP, trace: trace)
        #expect(outcome.exitStatus != 0)
        let line = try #require(lostLine(outcome.errorOutput), "no line naming the rank in:\n\(outcome.errorOutput)")
        #expect(line.hasPrefix("emulate: rank 2 (chiplet 2: stage 1, TP rank 0) lost (stopped (SIGSTOP) for 2."), "\(line)")
        #expect(left.isEmpty, "left in /dev/shm: \(left)")
    }
}
