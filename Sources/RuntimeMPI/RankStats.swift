#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import StableHash

#if canImport(Glibc)
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// What every rank measured of its own run, gathered on every rank for benchmarks.
public struct RankStats: Sendable, Equatable {
    /// Per rank, in rank order: the message loop's wall time, and the set-up's before it
    /// (`EmulatorOutcome`); messages sent; peak resident set.
    public var wallSeconds: [Double]
    public var setUpSeconds: [Double]
    public var messagesSent: [Int]
    public var peakRSSBytes: [Int]
    /// How many distinct host names the ranks ran on (MPI's processor names).
    public var hosts: Int

    /// Gathers this rank's figures from every rank over `fabric` (five gathers).
    static func gather(wallSeconds: Double, setUpSeconds: Double, messagesSent: Int, hostName: String,
                       over fabric: MPIFabric) throws -> RankStats {
        let walls = try fabric.allGather(wallSeconds.bitPattern).map { Double(bitPattern: $0) }
        let setUps = try fabric.allGather(setUpSeconds.bitPattern).map { Double(bitPattern: $0) }
        let messages = try fabric.allGather(UInt64(messagesSent)).map { Int($0) }
        let rss = try fabric.allGather(UInt64(peakRSSBytes())).map { Int($0) }
        let hostHashes = try fabric.allGather(FNV1a.hash(hostName.utf8))
        return RankStats(wallSeconds: walls, setUpSeconds: setUps, messagesSent: messages, peakRSSBytes: rss, hosts: Set(hostHashes).count)
    }

    /// This process's peak resident set. The corresponding C call is `getrusage` (Linux reports KiB).
    public static func peakRSSBytes() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF_WHO, &usage) == 0 else { return 0 }
        #if canImport(Darwin)
        return Int(usage.ru_maxrss)
        #else
        return Int(usage.ru_maxrss) * 1024
        #endif
    }
}
