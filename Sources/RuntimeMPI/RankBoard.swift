#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation
import Runtime

/// What each rank of one host is doing, in shared memory mapped before MPI starts: its process
/// id, chiplet and role, activity (`RankActivity` and step), the peer it waits on, whether it has
/// finished, and the signal that ended it if it could catch one. The host's `RankMonitor` reads it
/// to name a rank that is lost and what it was doing.
///
/// Why before MPI and without messages: hydra's proxy SIGKILLs every other rank of a job within a
/// millisecond of one dying by a signal (MPICH 4.0.2, with or without `-disable-auto-cleanup`), so
/// no survivor lives to report; the monitor, a process outside the ranks' process groups, does.
/// Hydra tells each rank its place on the host (`MPI_LOCALRANKID`, `MPI_LOCALNRANKS`) and every
/// rank of a host is a child of one proxy, so the object's name is known to all:
/// `/tessera-ranks-<proxy pid>-<its start time>` (the start time tells a reused pid apart).
///
/// Each rank also holds the write end of a FIFO of its own (`tessera-exit-…` in /dev/shm), which
/// the monitor reads: the kernel closes it as the process dies, before its parent can learn of the
/// death, so the monitor sees the lost rank's end before the ends hydra's clean-up causes.
///
/// Fields are aligned Int32s written by one process each; plain loads and stores of them are
/// atomic on the hosts MPICH runs on, and the monitor reads a record only after its owner ended.
public final class RankBoard: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    private let byteCount: Int
    let name: String
    /// This rank's place among the ranks of its host (the monitor's: −1), and their count.
    let localRank: Int
    let localRanks: Int

    static let lineBytes = 64, recordBytes = 128
    /// Header fields, as Int32 offsets: the monitor's state (`MonitorState`) and pid.
    enum Header: Int { case monitorState, monitorPid }
    enum MonitorState: Int32 { case starting = 0, watching = 1, absent = -1 }
    /// Record fields, as Int32 offsets; the record's second line holds its role text.
    enum Field: Int { case pid, worldRank, activity, step, waitingOnPlus1, done, signal }
    /// Local ranks a board takes: hydra's count is an environment variable, so it is bounded.
    public static let maxLocalRanks = 1 << 16

    init(base: UnsafeMutableRawPointer, byteCount: Int, name: String, localRank: Int, localRanks: Int) {
        self.base = base
        self.byteCount = byteCount
        self.name = name
        self.localRank = localRank
        self.localRanks = localRanks
    }

    deinit { munmap(base, byteCount) }

    static func bytes(localRanks: Int) -> Int { lineBytes + localRanks * recordBytes }

    /// This host's board name and this rank's place, from hydra's environment; nil outside hydra.
    static func place(environment: [String: String]) -> (name: String, local: Int, count: Int, world: Int)? {
        guard let local = environment["MPI_LOCALRANKID"].flatMap({ Int($0) }),
              let count = environment["MPI_LOCALNRANKS"].flatMap({ Int($0) }),
              let world = environment["PMI_RANK"].flatMap({ Int($0) }),
              (2...maxLocalRanks).contains(count), (0..<count).contains(local), (0...Int(Int32.max)).contains(world),
              let started = ProcessStatus.read(pid: Int(getppid()))?.startTicks
        else { return nil }
        return (SharedNames.board(proxyPid: Int(getppid()), startTicks: started), local, count, world)
    }

    /// Maps `name` (creating it when `create`), or nil when the system refuses.
    static func map(name: String, localRank: Int, localRanks: Int, create: Bool) -> RankBoard? {
        let bytes = Self.bytes(localRanks: localRanks)
        let fd = shm_open(name, create ? O_CREAT | O_RDWR : O_RDWR, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Every local rank sizes it alike; a second ftruncate to the same size changes nothing.
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size == off_t(bytes) || (create && ftruncate(fd, off_t(bytes)) == 0)
        else { return nil }
        let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else { return nil }
        return RankBoard(base: address, byteCount: bytes, name: name, localRank: localRank, localRanks: localRanks)
    }

    // MARK: - This rank's record

    func publish(worldRank: Int) {
        set(.worldRank, Int32(worldRank))
        set(.activity, RankActivity.startUp.rawValue)
        set(.pid, getpid())  // Last: a pid says the record is whole.
    }

    /// Chiplet and role, as the monitor names this rank (cut to the record's line).
    public func describe(role: String) {
        let text = line(localRank) + Self.lineBytes
        let bytes = Array(role.utf8.prefix(Self.lineBytes - 1))
        bytes.withUnsafeBytes { text.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        text.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
    }

    public func note(_ activity: RankActivity, step: Int) {
        set(.step, Int32(clamping: step))
        set(.activity, activity.rawValue)
    }

    /// The world rank this rank waits on, or nil when it no longer waits.
    @inline(__always)
    func waiting(on peer: Int?) { set(.waitingOnPlus1, Int32(clamping: (peer ?? -1) + 1)) }

    /// This rank has finished (or failed and said why): its exit is no loss.
    public func markDone() { set(.done, 1) }

    /// Where a signal handler records the signal that ends this rank (a plain store: async-signal-safe).
    var signalSlot: UnsafeMutablePointer<Int32> {
        (line(localRank) + Field.signal.rawValue * 4).assumingMemoryBound(to: Int32.self)
    }

    // MARK: - Reading (the monitor)

    struct Record {
        var pid: Int32, worldRank: Int, activity: RankActivity?, step: Int, waitingOn: Int?, done: Bool, signal: Int32
        var role: String
    }

    func record(_ local: Int) -> Record {
        let get = { (field: Field) in self.line(local).load(fromByteOffset: field.rawValue * 4, as: Int32.self) }
        let waiting = Int(get(.waitingOnPlus1)) - 1
        let text = (line(local) + Self.lineBytes).assumingMemoryBound(to: UInt8.self)
        let length = (0..<(Self.lineBytes - 1)).first { text[$0] == 0 } ?? Self.lineBytes - 1
        return Record(pid: get(.pid), worldRank: Int(get(.worldRank)), activity: RankActivity(rawValue: get(.activity)),
                      step: Int(get(.step)), waitingOn: waiting >= 0 ? waiting : nil, done: get(.done) != 0,
                      signal: get(.signal), role: String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
    }

    func header(_ field: Header) -> Int32 { base.load(fromByteOffset: field.rawValue * 4, as: Int32.self) }
    func setHeader(_ field: Header, _ value: Int32) { base.storeBytes(of: value, toByteOffset: field.rawValue * 4, as: Int32.self) }

    // MARK: - Internals

    private func line(_ local: Int) -> UnsafeMutableRawPointer { base + Self.lineBytes + local * Self.recordBytes }

    private func set(_ field: Field, _ value: Int32) {
        line(localRank).storeBytes(of: value, toByteOffset: field.rawValue * 4, as: Int32.self)
    }
}
