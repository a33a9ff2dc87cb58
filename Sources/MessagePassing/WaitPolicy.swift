#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// How a rank waits for a non-blocking operation.
///
/// On an oversubscribed host (more ranks than cores) a waiting rank that spins takes the core from
/// the rank it waits for. Measured on 2 cores: 100 all-reduces of 512 KiB at 8 ranks took 9.5 s
/// with blocking calls and 0.24 s with non-blocking calls and cooperative waits; at 32 ranks 67 s
/// against 1.2 s.
public enum WaitPolicy: String, Sendable, CaseIterable {
    /// `MPI_Wait`: MPI's own progress loop (MPICH spins inside it).
    case blocking
    /// `MPI_Test` in a tight loop.
    case spin
    /// `MPI_Test`, then `sched_yield`, then `nanosleep` with exponential backoff capped at 100 µs.
    case cooperative
}

/// The pause between tests of a cooperative wait: a few yields, then sleeps doubling from 1 µs to 100 µs.
/// Why 100 µs: on 2 cores, 512 KiB all-reduces took 20 ms at 8 ranks with a 1 ms cap, 6.4 ms with
/// 100 µs and 5.7 ms with 20 µs; at 32 ranks 46, 28 and 29 ms (`tessera bench mpi`, release build).
struct Backoff {
    static let yields = 16
    static let firstSleepNs = 1_000
    static let maxSleepNs = 100_000

    private(set) var attempts = 0
    private(set) var sleepNs = Backoff.firstSleepNs

    mutating func pause() {
        attempts += 1
        if attempts <= Backoff.yields {
            sched_yield()
            return
        }
        var duration = timespec(tv_sec: 0, tv_nsec: sleepNs)
        nanosleep(&duration, nil)
        sleepNs = min(sleepNs * 2, Backoff.maxSleepNs)
    }
}
