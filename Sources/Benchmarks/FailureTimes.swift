import Foundation
import MessagePassing
import Runtime
import RuntimeMPI

/// How soon a failure ends a run: the wall-clock side of the tests that check *what* a failed run
/// says (tests assert no times; `tessera bench failures` prints these).
public enum FailureTimes {
    /// Seconds until rank 0's receive fails on the in-process fabric when rank 1 ends its program
    /// without sending (it should fail at once, not wait out the timeout).
    public static func inProcessUnmatchedReceive(timeoutS: Double = 10) -> Double {
        timed {
            _ = InProcessFabric.run(ranks: 2, timeoutS: timeoutS) { fabric in
                if fabric.rank == 0 { _ = try fabric.receive(from: 1, tag: 7, waiting: "a message nobody sends") }
            }
        }
    }

    /// Seconds until two ranks that each wait on the other give up, with a receive timeout of `timeoutS`.
    public static func inProcessDeadlock(timeoutS: Double) -> Double {
        timed {
            _ = InProcessFabric.run(ranks: 2, timeoutS: timeoutS) { fabric in
                _ = try fabric.receive(from: 1 - fabric.rank, tag: 7, waiting: "the other rank")
            }
        }
    }

    /// Seconds until `MPIFabric`'s watchdog ends a receive nobody answers, with a limit of
    /// `limitS`, in this process alone (MPI's singleton world).
    public static func mpiFabricWatchdog(limitS: Double) throws -> Double {
        guard let own = try MPIRuntime.world().split(color: 0, key: 0) else { return .nan }
        let fabric = MPIFabric(world: own, policy: .cooperative, watchdogSeconds: limitS, maxOutstandingSends: 4)
        return timed { _ = try? fabric.receive(from: 0, tag: 77, waiting: "a message nobody sends") }
    }

    /// Seconds of a whole `mpirun -n ranks tessera emulate plan --inject-unmatched-recv` job with
    /// a watchdog of `watchdogS`: start-up, the watchdog's wait, and the abort of every rank.
    public static func emulateUnmatchedReceive(plan: String, ranks: Int, watchdogS: Double) throws -> Double {
        let start = Date()
        _ = try MPILauncher.run(
            ranks: ranks, executable: BenchLaunch.executablePath(),
            arguments: [
                "emulate", plan, "--inject-unmatched-recv",
                "--watchdog-seconds", String(watchdogS),
            ],
            timeoutSeconds: 120)
        return Date().timeIntervalSince(start)
    }

    /// What a `kill -9` (or another signal) to one rank did to a running `mpirun … tessera emulate` job.
    public struct RankKill: Sendable {
        /// From the kill to mpirun's exit.
        public var seconds: Double
        /// Whether a line named the killed rank (`emulate: rank R (…) lost …`).
        public var named: Bool
        public var exitStatus: Int32
        /// Shared-memory names of the job (board, exit FIFOs, doorbells) still in /dev/shm afterwards.
        public var leftovers: [String]
    }

    /// Starts `mpirun -n ranks tessera emulate plan arguments…`, waits until `ready` holds of its
    /// standard error and of its names in /dev/shm, sends `signal` to rank `victim` and waits for the job to end.
    /// Nil when the job ended before it was ready.
    public static func killRank(
        plan: String, ranks: Int, victim: Int, signal: Int32 = SIGKILL, arguments: [String],
        launcherFlags: [String] = MPILauncher.hostFlags,
        ready: (_ errors: String, _ shm: [String]) -> Bool
    ) throws -> RankKill? {
        let job = try MPIJob(
            ranks: ranks, executable: BenchLaunch.executablePath(), arguments: ["emulate", plan] + arguments,
            launcherFlags: launcherFlags)
        // The job's names carry a rank's or its proxy's process id as their third part (other jobs may run).
        func names(of owners: Set<Int>) -> [String] {
            shm().filter { name in
                let parts = name.split(separator: "-")
                return parts.count >= 3 && Int(parts[2]).map(owners.contains) == true
            }
        }
        func owners(_ pids: [Int: Int32]) -> Set<Int> { Set(pids.values.flatMap { [Int($0), Int(parentPID($0))] }) }
        guard job.wait(until: { ready(job.errorOutput, names(of: owners(job.rankPIDs()))) }, timeoutSeconds: 60) else {
            _ = try? job.finish(timeoutSeconds: 60)
            return nil
        }
        let pids = job.rankPIDs()
        guard let pid = pids[victim] else { return nil }
        kill(pid, signal)
        let start = Date()
        let outcome = try job.finish(timeoutSeconds: 60)
        let seconds = Date().timeIntervalSince(start)
        let leftovers = names(of: owners(pids))
        return RankKill(
            seconds: seconds, named: outcome.errorOutput.contains("emulate: rank \(victim) ("),
            exitStatus: outcome.exitStatus, leftovers: leftovers)
    }

    /// Tessera's names in /dev/shm.
    public static func shm() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter { $0.hasPrefix("tessera-") }
    }

    /// The parent of `pid` (hydra's proxy, for a rank), from /proc.
    private static func parentPID(_ pid: Int32) -> Int32 {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = text.lastIndex(of: ")") else { return -1 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) ?? -1 : -1
    }

    private static func timed(_ body: () -> Void) -> Double {
        let start = Date()
        body()
        return Date().timeIntervalSince(start)
    }
}
