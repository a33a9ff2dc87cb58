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

    private static func timed(_ body: () -> Void) -> Double {
        let start = Date()
        body()
        return Date().timeIntervalSince(start)
    }
}
