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

/// The pause between tests of a cooperative wait: a few yields, then sleeps doubling from 1 µs to a
/// cap, by default 100 µs. `Request.wait(.cooperative)` uses it as it is; the emulator's fabric
/// takes each step with `next()` so that it can sleep on its doorbells instead and choose the cap.
/// Why 100 µs: on 2 cores, 512 KiB all-reduces took 20 ms at 8 ranks with a 1 ms cap, 6.4 ms with
/// 100 µs and 5.7 ms with 20 µs; at 32 ranks 46, 28 and 29 ms (`tessera bench mpi`, release build).
public struct Backoff: Sendable {
    public static let yields = 16
    public static let firstSleepNs = 1_000
    public static let defaultMaxSleepNs = 100_000

    public let maxSleepNs: Int
    public private(set) var attempts = 0
    /// The sleep the next pause takes once the yields are spent.
    public private(set) var sleepNs = Backoff.firstSleepNs

    public init(maxSleepNs: Int = Backoff.defaultMaxSleepNs) { self.maxSleepNs = max(Backoff.firstSleepNs, maxSleepNs) }

    /// One step: nil for a yield, else how long to sleep (and the sleep after it doubles, up to the cap).
    public mutating func next() -> Int? {
        attempts += 1
        if attempts <= Backoff.yields { return nil }
        defer { sleepNs = min(sleepNs * 2, maxSleepNs) }
        return sleepNs
    }

    /// Takes one step: `sched_yield`, or `nanosleep` for the step's time.
    public mutating func pause() {
        guard let ns = next() else {
            sched_yield()
            return
        }
        Backoff.sleep(ns: ns)
    }

    public static func sleep(ns: Int) {
        var duration = timespec(tv_sec: 0, tv_nsec: ns)
        nanosleep(&duration, nil)
    }
}
