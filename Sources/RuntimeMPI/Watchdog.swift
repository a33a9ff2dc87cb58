#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import MessagePassing

/// One wait of a rank on a peer: paces the polling loop as the wait policy says and gives up with
/// `rank R waits on rank S: <what>` once the wait has made no progress for the watchdog's limit.
///
/// The cooperative pause is `Backoff`, the one `Request.wait(.cooperative)` uses (16 yields, then
/// sleeps doubling from 1 µs to a cap), stepped here because the fabric polls two things at once
/// (arrivals and its own sends), must check the clock between, sleeps on its doorbells when it has
/// them, and takes the cap from the fabric (see `MPIFabric.maxSleepUs(ranksPerPU:)`).
struct Watchdog {
    let policy: WaitPolicy
    let limitSeconds: Double
    private let startS: Double
    private var attempts = 0
    private var backoff: Backoff

    /// Sleeps end early when rung (cooperative waits of ranks that share a host).
    let doorbells: Doorbells?

    init(policy: WaitPolicy, limitSeconds: Double, maxSleepUs: Double, doorbells: Doorbells? = nil) {
        self.policy = policy
        self.doorbells = doorbells
        self.limitSeconds = limitSeconds
        backoff = Backoff(maxSleepNs: Int(maxSleepUs * 1_000))
        startS = MPIRuntime.wallTimeSeconds()
    }

    /// Pauses before the next poll, or throws once the wait has lasted longer than the limit.
    /// `rung`: every message this wait can be waiting for rings the doorbells, so it sleeps on
    /// them at once, for up to `rungSleepUs`, rather than yield and back off.
    mutating func pause(rank: Int, peer: Int, rung: Bool = false, rungSleepUs: Double = 0,
                        waiting: @autoclosure () -> String) throws(EmulatorError) {
        attempts += 1
        // Reading the clock costs ~20 ns; every 64th spin is plenty for a limit of seconds.
        if policy != .spin || attempts & 63 == 0 {
            let waitedS = MPIRuntime.wallTimeSeconds() - startS
            if waitedS > limitSeconds {
                throw .watchdog(rank: rank, peer: peer, waiting: waiting(), seconds: waitedS)
            }
        }
        guard policy == .cooperative else { return }
        if rung, let doorbells {
            doorbells.wait(timeoutNs: Int(rungSleepUs * 1_000))
            return
        }
        guard let sleepNs = backoff.next() else {
            sched_yield()
            return
        }
        if let doorbells {
            doorbells.wait(timeoutNs: sleepNs)
        } else {
            Backoff.sleep(ns: sleepNs)
        }
    }
}
